# The display formats of docs/i18n.md ("Dates and times"), one set for every language.
from zhili.core.formats.common import *  # noqa: F403
