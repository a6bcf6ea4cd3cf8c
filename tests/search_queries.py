"""The searches readers type, each with the events that should come first: the relevance oracle.

Decided by reading the articles and the fixtures, not by what the engine returned: for each
query, the events a reader who typed it is looking for (any of them first is a success). Run
by tests/test_search_relevance.py on both databases, and by bench/report.py beside the timings.

success@k: the share of queries whose first k results hold one of their expected events.
"""

QUERIES = {
    # Words from the issue: what readers tried.
    "fine": ["cz-pays-50-million-fine"],
    "denial": ["cz-denies-wsj-report"],  # Zhao's rejection of the WSJ report, not the report itself
    "resigned as CEO": ["cz-steps-down-as-ceo"],  # through the synonym resign ↔ step down
    "Binance.US": ["wsj-reports-binance-us-stake-talks"],
    # The machine-reworded article's spelling of Justin Sun: his events, through the alias.
    "Justin Solar": [
        "justin-sun-invests-75-million",
        "cz-agrees-to-inform-on-justin-sun",
        "sec-seeks-pause-in-sun-case",
    ],
    "pardon": ["trump-pardons-cz"],
    # Names.
    "Justin Sun": ["justin-sun-invests-75-million", "cz-agrees-to-inform-on-justin-sun", "sec-seeks-pause-in-sun-case"],
    "Karoline Leavitt": ["leavitt-explains-pardon"],
    "Mark Bini": ["mark-bini-calls-case-regulatory"],
    "Witkoff": ["abu-dhabi-whale-only-lounge"],
    "Eric Trump": ["eric-trump-promotes-world-liberty", "abu-dhabi-whale-only-lounge"],
    "Richard Teng": ["binance-asks-treasury-to-end-monitor"],
    "World Liberty": [
        "binance-world-liberty-usd1-talks",
        "usd1-launched-by-world-liberty",
        "eric-trump-promotes-world-liberty",
    ],
    # Places.
    "Abu Dhabi": ["abu-dhabi-whale-only-lounge", "eric-trump-promotes-world-liberty"],
    "White House": ["white-house-declines-pardon-comment", "white-house-counsel-reviews-request"],
    # What happened, as readers put it.
    "guilty plea": ["cz-pleads-guilty"],
    "Bank Secrecy Act": ["cz-pleads-guilty"],
    "prison": ["cz-serves-prison-term", "cz-sentenced-to-four-months"],
    "jail": ["cz-serves-prison-term", "cz-sentenced-to-four-months"],  # through jail ↔ prison
    "sentenced": ["cz-sentenced-to-four-months"],
    "$4.3 billion": ["binance-settles-for-4-3-billion"],
    "settlement": ["binance-settles-for-4-3-billion"],
    "$50 million": ["cz-pays-50-million-fine"],
    "monitor": ["binance-placed-under-monitor", "binance-asks-treasury-to-end-monitor"],
    "stablecoin": ["usd1-launched-by-world-liberty", "binance-world-liberty-usd1-talks"],
    "persecution": ["trump-defends-pardon"],
    "crypto unit disbanded": ["doj-disbands-crypto-unit"],
    "inauguration": ["trump-second-inauguration"],
    "election": ["trump-wins-2024-election"],
    "lobbying": ["speculative-lobbying-campaign"],
    "task forces": ["binance-task-forces-for-reentry-and-pardon"],
    "thanks Trump": ["cz-thanks-trump"],
    "step down": ["cz-steps-down-as-ceo"],
}


def first_results(search, queries=QUERIES, depth=3):
    """{query: the slugs of its first `depth` results}, `search(query)` giving them best first."""
    return {query: list(search(query))[:depth] for query in queries}


def success(results, at, queries=QUERIES):
    """The share of queries whose first `at` results hold one of their expected events."""
    hits = sum(bool(set(results[query][:at]) & set(expected)) for query, expected in queries.items())
    return hits / len(queries)


def misses(results, at, queries=QUERIES):
    """The queries whose first `at` results hold none of their expected events, with what they gave."""
    return {
        query: results[query][:at]
        for query, expected in queries.items()
        if not set(results[query][:at]) & set(expected)
    }
