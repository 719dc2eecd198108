#!/bin/sh
# The non-Node clients of the end-to-end tests, from Debian: python3 with python3-requests (the HTTP
# library cos-python-sdk-v5 sends everything through) and curl; see ensure-debian.sh. The check
# imports the module with /usr/bin/python3, the interpreter the tests run (a python3 earlier on
# PATH, pyenv's say, has its own site-packages and does not count).
exec sh "$(dirname "$0")/ensure-debian.sh" ensure-python-clients \
  "[ -x /usr/bin/curl ] && /usr/bin/python3 -c 'import requests'" \
  python3 python3-requests curl
