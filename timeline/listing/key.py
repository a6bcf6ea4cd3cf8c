"""What the labels a reader meets mean, declared once: an event's certainty, the Disputed mark, a
citation's stance and a statement from outside the articles. The key printed at the foot of every
page, each label's link to its entry and the badges' own words read it."""

from dataclasses import dataclass

from timeline.models import Citation, Event


@dataclass(frozen=True)
class Entry:
    anchor: str  # the key's entry is #key-<anchor>
    label: str  # the words on the badge
    meaning: str


CERTAINTY = {
    Event.Certainty.CONFIRMED: Entry(
        "confirmed", "Confirmed", "An article states it as fact, or the party it concerns confirms it."
    ),
    Event.Certainty.REPORTED: Entry(
        "reported",
        "Reported",
        "Articles attribute it to sources (“reportedly”, “people familiar”) without stating it as fact.",
    ),
    Event.Certainty.ALLEGED: Entry(
        "alleged", "Alleged", "An accusation made by someone (prosecutors, a party), not a finding."
    ),
    Event.Certainty.DENIED: Entry(
        "denied",
        "Denied by the party concerned",
        "The person or body the claim is about denies exactly this claim; the denial covers nothing more.",
    ),
    Event.Certainty.SPECULATIVE: Entry(
        "speculative",
        "Speculative",
        "A hedged claim of the speculative article (Tech Today); never a confirmed fact.",
    ),
}
DISPUTED = Entry(
    "disputed",
    "Disputed",
    "At least one quoted passage contests the event as told, short of a denial of this exact claim.",
)
STANCE = {
    Citation.Stance.SUPPORTS: Entry("supports", "Supports", "The passage says what the statement says."),
    Citation.Stance.DISPUTES: Entry("disputes", "Disputes", "The passage contests the event as told."),
    Citation.Stance.CONTEXT: Entry(
        "context", "Context", "The passage gives background: it neither confirms nor contests the event."
    ),
}
OUTSIDE = Entry(
    "external",
    "From outside the articles",
    "A statement the editors added from public knowledge, with a note saying where it comes from.",
)
KEY = [*CERTAINTY.values(), DISPUTED, *STANCE.values(), OUTSIDE]
