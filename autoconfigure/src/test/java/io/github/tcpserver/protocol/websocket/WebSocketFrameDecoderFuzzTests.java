package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target of the WebSocket frame decoder. A plain test run replays the
 * regression corpus in {@code WebSocketFrameDecoderFuzzTestsInputs/}; {@code scripts/fuzz.sh}
 * fuzzes it for a bounded time. Properties: nothing escapes but a
 * {@link WebSocketProtocolException} with a close code the server may send; the messages, control
 * frames and the error are the same for the whole input and for the same bytes split anywhere; no
 * message passes the limit.
 */
@Tag("fuzz")
class WebSocketFrameDecoderFuzzTests {

	private static final int MAX_FRAME = 48;

	private static final int MAX_MESSAGE = 96;

	@FuzzTest(maxDuration = "30s")
	void framesDoNotDependOnReadBoundariesAndStayWithinLimits(byte[] input) {
		check(input, false);
	}

	/** With permessage-deflate: inflated messages stay within the limit too (no decompression bomb). */
	@FuzzTest(maxDuration = "30s")
	void compressedFramesDoNotDependOnReadBoundariesAndStayWithinLimits(byte[] input) {
		check(input, true);
	}

	private static void check(byte[] input, boolean deflate) {
		String whole = verdict(input, input.length, deflate);
		int step = (input.length <= 256) ? 1 : input.length / 97;
		for (int split = 0; split < input.length; split += step) {
			assertThat(verdict(input, split, deflate)).as("split at %d", split).isEqualTo(whole);
		}
	}

	private static String verdict(byte[] input, int split, boolean deflate) {
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(MAX_FRAME, MAX_MESSAGE, true, deflate, false);
		BoundedSink sink = new BoundedSink();
		try {
			decoder.decode(ByteBuffer.wrap(input, 0, split), sink);
			decoder.decode(ByteBuffer.wrap(input, split, input.length - split), sink);
		}
		catch (WebSocketProtocolException ex) {
			assertThat(WebSocketCloseCodes.isSendable(ex.closeCode())).isTrue();
			sink.events.add("error " + ex.closeCode());
		}
		finally {
			decoder.release();
		}
		return String.join(" | ", sink.events);
	}

	/** Records events and checks each against the limits. */
	private static final class BoundedSink implements WebSocketFrameDecoder.Sink {

		final List<String> events = new ArrayList<>();

		private final RecordingSink describe = new RecordingSink();

		@Override
		public void onText(String text) {
			assertThat(text.length()).isLessThanOrEqualTo(MAX_MESSAGE);
			this.describe.onText(text);
			take();
		}

		@Override
		public void onBinary(ByteBuffer data) {
			assertThat(data.remaining()).isLessThanOrEqualTo(MAX_MESSAGE);
			this.describe.onBinary(data);
			take();
		}

		@Override
		public void onPing(ByteBuffer payload) {
			assertThat(payload.remaining()).isLessThanOrEqualTo(125);
			this.describe.onPing(payload);
			take();
		}

		@Override
		public void onPong(ByteBuffer payload) {
			assertThat(payload.remaining()).isLessThanOrEqualTo(125);
			this.describe.onPong(payload);
			take();
		}

		@Override
		public void onClose(int code, String reason) {
			assertThat(code == WebSocketCloseCodes.NO_STATUS || WebSocketCloseCodes.isSendable(code)).isTrue();
			this.describe.onClose(code, reason);
			take();
		}

		private void take() {
			this.events.add(this.describe.events.remove(0));
		}

	}

}
