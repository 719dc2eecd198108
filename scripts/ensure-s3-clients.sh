#!/bin/sh
# The S3 clients of the end-to-end tests (test/e2e/s3-*.test.ts), from Debian: awscli (`aws`),
# python3-boto3 (imported by /usr/bin/python3), s3cmd and rclone, plus curl to fetch pre-signed URLs;
# see ensure-debian.sh.
exec sh "$(dirname "$0")/ensure-debian.sh" ensure-s3-clients \
  "[ -x /usr/bin/aws ] && [ -x /usr/bin/s3cmd ] && [ -x /usr/bin/rclone ] && [ -x /usr/bin/curl ] && /usr/bin/python3 -c 'import boto3'" \
  awscli python3-boto3 s3cmd rclone curl
