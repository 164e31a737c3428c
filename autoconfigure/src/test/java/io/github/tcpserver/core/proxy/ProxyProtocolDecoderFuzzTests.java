package io.github.tcpserver.core.proxy;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target of the PROXY protocol decoder. A plain test run replays the regression
 * corpus in {@code ProxyProtocolDecoderFuzzTestsInputs/}; {@code scripts/fuzz.sh} fuzzes it for a
 * bounded time. Properties: nothing escapes but a {@link ProxyProtocolException}; the header (or the
 * refusal) and the bytes left after it are the same for the whole input and for the same bytes split
 * anywhere; a header never passes its version's limit; a refusal never consumes past the limit.
 */
@Tag("fuzz")
class ProxyProtocolDecoderFuzzTests {

	private static final int MAX = 256;

	@FuzzTest(maxDuration = "30s")
	void theHeaderAndTheBytesAfterItDoNotDependOnReadBoundaries(byte[] input) {
		String whole = verdict(input, input.length);
		int step = (input.length <= 512) ? 1 : input.length / 97;
		for (int split = 0; split < input.length; split += step) {
			assertThat(verdict(input, split)).as("split at %d", split).isEqualTo(whole);
		}
	}

	/** The header decoded from two reads split at {@code split}, and what was left, or the refusal. */
	private static String verdict(byte[] input, int split) {
		ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolMode.ANY, MAX);
		ByteBuffer first = ByteBuffer.wrap(input, 0, split);
		ByteBuffer second = ByteBuffer.wrap(input, split, input.length - split);
		try {
			ProxyHeader header = decoder.decode(first);
			int left;
			if (header == null) {
				assertThat(first.hasRemaining()).isFalse();
				header = decoder.decode(second);
				left = second.remaining();
			}
			else {
				left = first.remaining() + second.remaining();
			}
			if (header == null) {
				assertThat(decoder.bytesConsumed()).isEqualTo(input.length);
				return "incomplete";
			}
			assertThat(header.length()).isEqualTo(input.length - left)
				.isLessThanOrEqualTo((header.version() == 1) ? ProxyProtocolDecoder.V1_MAX_LENGTH : MAX);
			if (header.uniqueId() != null) {
				assertThat(header.uniqueId().length).isLessThanOrEqualTo(ProxyProtocolDecoder.MAX_UNIQUE_ID_LENGTH);
			}
			if (header.tlv(ProxyHeader.TYPE_SSL) != null) {
				header.ssl(); // a checked SSL TLV always parses
			}
			StringBuilder tlvs = new StringBuilder();
			for (ProxyHeader.Tlv tlv : header.tlvs()) {
				tlvs.append(tlv.type()).append('=').append(HexFormat.of().formatHex(tlv.value())).append(';');
			}
			return "v" + header.version() + " local=" + header.local() + " " + header.source() + " "
					+ header.destination() + " " + tlvs + " left " + left;
		}
		catch (ProxyProtocolException ex) {
			assertThat(first.position() + second.position() - split).isLessThanOrEqualTo(MAX);
			return "refused " + ex.reason();
		}
	}

}
