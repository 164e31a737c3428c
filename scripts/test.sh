#!/usr/bin/env bash
# The README's test command under another name: installs what the tests need, then `mvn -B verify`
# (see .ci/run). Extra arguments go to Maven.
exec "$(dirname "$0")/../.ci/run" "$@"
