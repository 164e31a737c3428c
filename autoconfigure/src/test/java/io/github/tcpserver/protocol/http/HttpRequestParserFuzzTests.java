package io.github.tcpserver.protocol.http;

import java.time.Duration;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target of the HTTP/1.1 request parser. A plain test run replays the
 * regression corpus in {@code HttpRequestParserFuzzTestsInputs/}; {@code scripts/fuzz.sh} fuzzes
 * it for a bounded time and adds what it finds there. Properties: nothing escapes but the parser's
 * own {@link HttpParseException}; the verdict on the whole input is the verdict on the same bytes
 * split anywhere; body memory never passes {@code maxBodySize} and is all given back.
 */
@Tag("fuzz")
class HttpRequestParserFuzzTests {

	/** Small limits, so that the fuzzer reaches every one of them. */
	private static final HttpLimits LIMITS = new HttpLimits(128, 512, 2048, 16, Duration.ZERO, Duration.ZERO);

	@FuzzTest(maxDuration = "30s")
	void theVerdictDoesNotDependOnReadBoundariesAndMemoryStaysBounded(byte[] input) {
		HttpLimits limits = LIMITS.withRequestMemory(new RequestMemoryBudget(1 << 20));
		String whole = ParserVerdict.of(limits, input, input.length);
		assertThat(limits.requestMemory().used()).as("released").isZero();
		int step = (input.length <= 256) ? 1 : input.length / 97;
		for (int split = 0; split < input.length; split += step) {
			assertThat(ParserVerdict.of(limits, input, split)).as("split at %d", split).isEqualTo(whole);
		}
		assertThat(limits.requestMemory().used()).as("released").isZero();
	}

}
