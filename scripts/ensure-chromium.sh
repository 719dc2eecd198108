#!/bin/sh
# Debian's Chromium (/usr/bin/chromium) for the browser end-to-end tests, with its recommended
# packages (fonts for the console's screenshots); see ensure-debian.sh.
exec sh "$(dirname "$0")/ensure-debian.sh" --with-recommends ensure-chromium '[ -x /usr/bin/chromium ]' chromium
