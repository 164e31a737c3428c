#!/usr/bin/env bash
# Fuzzes every coverage-guided target (the @FuzzTest methods of the autoconfigure module) for the
# bounded time its annotation gives (30 s each), one target per JVM as Jazzer requires, then copies
# the corpus it grew into the target's regression inputs (src/test/resources/<package>/<Class>Inputs/
# <method>/), which every `mvn verify` replays. A finding fails the run; Jazzer saves the input
# that caused it there too, so it becomes a regression test as soon as it is committed.
#
# Usage: scripts/fuzz.sh [Class#method ...]     (default: every target)
# Prints, per target, the executions run without a finding.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(
	"io.github.tcpserver.protocol.http.HttpRequestParserFuzzTests#theVerdictDoesNotDependOnReadBoundariesAndMemoryStaysBounded"
	"io.github.tcpserver.codec.FrameDecoderFuzzTests#lineFramesDoNotDependOnReadBoundaries"
	"io.github.tcpserver.codec.FrameDecoderFuzzTests#lengthPrefixedFramesDoNotDependOnReadBoundaries"
	"io.github.tcpserver.codec.FrameDecoderFuzzTests#utf8FramesDoNotDependOnReadBoundaries"
	"io.github.tcpserver.protocol.chat.ChatProtocolFuzzTests#anyInputLeavesTheRoomConsistentAndEmptyAfterClose"
	"io.github.tcpserver.protocol.websocket.WebSocketFrameDecoderFuzzTests#framesDoNotDependOnReadBoundariesAndStayWithinLimits"
	"io.github.tcpserver.protocol.websocket.WebSocketFrameDecoderFuzzTests#compressedFramesDoNotDependOnReadBoundariesAndStayWithinLimits"
	"io.github.tcpserver.core.proxy.ProxyProtocolDecoderFuzzTests#theHeaderAndTheBytesAfterItDoNotDependOnReadBoundaries"
)
if (($# > 0)); then
	TARGETS=("$@")
fi

mvn -B -q -pl autoconfigure test-compile
summary=()
status=0
for target in "${TARGETS[@]}"; do
	class=${target%%#*}
	method=${target##*#}
	log=$(mktemp)
	echo "Fuzzing $class#$method"
	if JAZZER_FUZZ=1 mvn -B -pl autoconfigure surefire:test@fuzz-regression -Dtest="$class#$method" \
		-Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
		runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
		summary+=("$class#$method: ${runs:-no libFuzzer summary} without a finding")
	else
		status=1
		summary+=("$class#$method: FINDING or failure, see $log")
		grep -E 'FuzzerSecurityIssue|Exception|AssertionError|crash-' "$log" | head -20 || true
	fi
	corpus="autoconfigure/.cifuzz-corpus/$class/$method"
	inputs="autoconfigure/src/test/resources/$(dirname "${class//.//}")/${class##*.}Inputs/$method"
	if [ -d "$corpus" ]; then
		mkdir -p "$inputs"
		# Small inputs only: the corpus is replayed on every build and kept in git.
		find "$corpus" -type f -size -4k -exec cp -n {} "$inputs"/ \;
	fi
done
printf '%s\n' "${summary[@]}"
exit $status
