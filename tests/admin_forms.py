"""Form data the admin's change forms expect, for tests that post them."""

from timeline.dataset.schema import digest, serialize


def citation_form(citation, **changes):
    data = {
        "event": citation.event_id,
        "source": citation.source_id,
        "quote": citation.quote,
        "start": citation.start,
        "end": citation.end,
        "stance": citation.stance,
        "loaded_digest": digest(serialize(citation)),
    }
    data.update(changes)
    return {k: ("" if v is None else v) for k, v in data.items()}


def change_form_data(response):
    """The POST data a browser would send back for an admin change form, inline rows included."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[name] = form[name].value()
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
        for row in formset.forms:
            for name in row.fields:
                data[row.add_prefix(name)] = row[name].value()
    return {k: ("" if v is None else v) for k, v in data.items() if v is not False}
