"""A broken rule is a configuration error: the message that names each rule and how many rows it failed on."""
from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def broken_rules_message(broken: Counter) -> str:
    """Why the export stopped: every rule or column whose expression failed, with its number of rows."""
    parts = [ngettext("%(rule)s failed on %(count)s row", "%(rule)s failed on %(count)s rows", count)
             % {"rule": rule, "count": count} for rule, count in broken.most_common(10)]
    if len(broken) > 10:
        parts.append(_("and %(more)s more") % {"more": len(broken) - 10})
    return _("The column configuration has an error, so the totals would be wrong and nothing was exported: "
             "%(failures)s. A system administrator must correct the configuration in the admin; "
             "then export again.") % {"failures": "; ".join(parts)}
