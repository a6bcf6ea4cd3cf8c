"""A feed's page for people: what a browser shows for the page's "Atom feed" link, instead of raw XML.

Feed readers read the feed itself (each page's head announces it); a person who follows the link
gets this page: the feed's address to copy into a reader, the name it has there, and what it holds
now, entry by entry. The feed object that writes the XML builds both, so the page shows exactly
what a reader would. (An XSLT stylesheet on the XML would do the same, but every browser has
deprecated XSLT, and Chromium already marks a styled feed with a warning banner.)
"""

from django.shortcuts import render
from django.utils.safestring import mark_safe

from timeline.listing.query import EventQuery


def feed_page(feed, what):
    """The view of `feed` (a ListingFeed) for people; `what` names its entries ("events", "corrections")."""

    def view(request, version):
        query = EventQuery.from_request(request, version, paged=False)
        context = {"query": query, "problems": query.problems, "what": what, "feed_name": feed.feed_url_name}
        if not query.problems:
            written = feed.get_feed(feed.get_object(request, query), request)
            entries = [
                {
                    "title": item["title"],
                    "link": item["link"],
                    "day": item["pubdate"],
                    # the feed's own description: its text escaped into paragraphs (item_description)
                    "text": mark_safe(item["description"]),  # noqa: S308
                }
                for item in written.items
            ]
            context.update(
                name=written.feed["title"],
                subtitle=written.feed["subtitle"],
                feed_url=written.feed["feed_url"],
                page_link=written.feed["link"],
                entries=entries,
            )
        return render(request, "feed.html", context, status=400 if query.problems else 200)

    return view
