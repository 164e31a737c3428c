package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * permessage-deflate (RFC 7692) in memory: the examples of §7.2.3, the negotiation of §5 and §7.1,
 * and the bound against decompression bombs.
 */
class PerMessageDeflateTests {

	private final RecordingSink sink = new RecordingSink();

	@Test
	void rfcExampleCompressedHelloInOneFrame() {
		clientDecoder(false).decode(buffer("c107f248cdc9c90700"), this.sink);
		assertThat(this.sink.events).containsExactly("text Hello");
	}

	@Test
	void rfcExampleCompressedHelloInTwoFrames() {
		clientDecoder(false).decode(buffer("4103f248cd" + "8004c9c90700"), this.sink);
		assertThat(this.sink.events).containsExactly("text Hello");
	}

	@Test
	void rfcExampleSecondHelloReusesTheWindowOfTheFirst() {
		clientDecoder(false).decode(buffer("c107f248cdc9c90700" + "c105f200110000"), this.sink);
		assertThat(this.sink.events).containsExactly("text Hello", "text Hello");
	}

	@Test
	void rfcExampleHelloInAStoredBlock() {
		clientDecoder(false).decode(buffer("c10b000500faff48656c6c6f00"), this.sink);
		assertThat(this.sink.events).containsExactly("text Hello");
	}

	@Test
	void theServerCompressesAsTheRfcExample() {
		assertThat(HexFormat.of().formatHex(PerMessageDeflate.compress("Hello".getBytes()))).isEqualTo("f248cdc9c90700");
	}

	@Test
	void aMessageInflatingPastTheLimitFailsWith1009() {
		byte[] bomb = PerMessageDeflate.compress(new byte[1024 * 1024]); // a megabyte of zeros: about a kilobyte
		assertThat(bomb.length).isLessThan(2048);
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(4096, 64 * 1024, false, true, false);
		assertThatExceptionOfType(WebSocketProtocolException.class)
			.isThrownBy(() -> decoder.decode(WebSocketFrameEncoder.frame(2, true, true, bomb, 0, -1, null), this.sink))
			.satisfies((ex) -> assertThat(ex.closeCode()).isEqualTo(1009));
		assertThat(this.sink.events).isEmpty();
	}

	@Test
	void aMessageJustUnderTheLimitInflates() {
		byte[] compressed = PerMessageDeflate.compress(new byte[64 * 1024]);
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(4096, 64 * 1024, false, true, false);
		decoder.decode(WebSocketFrameEncoder.frame(2, true, true, compressed, 0, -1, null), this.sink);
		assertThat(this.sink.events).containsExactly("binary 65536 bytes");
	}

	@Test
	void compressedInvalidUtf8FailsWith1007() {
		byte[] compressed = PerMessageDeflate.compress(new byte[] { 'a', (byte) 0xC0, (byte) 0x80 });
		assertThatExceptionOfType(WebSocketProtocolException.class)
			.isThrownBy(() -> clientDecoder(false).decode(WebSocketFrameEncoder.frame(1, true, true, compressed, 0, -1,
					null), this.sink))
			.satisfies((ex) -> assertThat(ex.closeCode()).isEqualTo(1007));
	}

	@Test
	void garbageThatIsNotDeflateFailsWith1007() {
		assertThatExceptionOfType(WebSocketProtocolException.class)
			.isThrownBy(() -> clientDecoder(false).decode(buffer("c103ffffff"), this.sink))
			.satisfies((ex) -> assertThat(ex.closeCode()).isEqualTo(1007));
	}

	@Test
	void rsv1OnAContinuationOrControlFrameFailsWith1002() {
		for (String frames : List.of("0103414243" + "c004c9c90700", "c900")) {
			WebSocketFrameDecoder decoder = clientDecoder(false);
			assertThatExceptionOfType(WebSocketProtocolException.class)
				.isThrownBy(() -> decoder.decode(buffer(frames), this.sink))
				.satisfies((ex) -> assertThat(ex.closeCode()).isEqualTo(1002));
		}
	}

	@Test
	void withoutContextTakeoverEachMessageInflatesOnItsOwn() {
		WebSocketFrameDecoder decoder = clientDecoder(true);
		for (int i = 0; i < 3; i++) {
			byte[] compressed = PerMessageDeflate.compress(("message " + i).getBytes());
			decoder.decode(WebSocketFrameEncoder.frame(1, true, true, compressed, 0, -1, null), this.sink);
		}
		assertThat(this.sink.events).containsExactly("text message 0", "text message 1", "text message 2");
	}

	@Test
	void aClientCompressingWithContextTakeoverIsUnderstood() {
		// As browsers do: one compressor for the whole session, flushed after each message.
		Deflater client = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(4096, 4096, true, true, false);
		for (String text : List.of("hello hello hello", "hello hello hello again", "and hello once more")) {
			client.setInput(text.getBytes());
			byte[] out = new byte[256];
			int length = client.deflate(out, 0, out.length, Deflater.SYNC_FLUSH) - 4;
			decoder.decode(WebSocketFrameEncoder.frame(1, true, true, out, 0, length, new byte[] { 1, 2, 3, 4 }),
					this.sink);
		}
		assertThat(this.sink.events).containsExactly("text hello hello hello", "text hello hello hello again",
				"text and hello once more");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			permessage-deflate                                                  | permessage-deflate; server_no_context_takeover
			permessage-deflate; client_max_window_bits                          | permessage-deflate; server_no_context_takeover
			permessage-deflate; client_no_context_takeover                      | permessage-deflate; server_no_context_takeover; client_no_context_takeover
			permessage-deflate; server_max_window_bits=10, permessage-deflate   | permessage-deflate; server_no_context_takeover
			permessage-deflate; server_max_window_bits=15                       | permessage-deflate; server_no_context_takeover
			permessage-deflate; server_max_window_bits=10                       | none
			permessage-deflate; client_max_window_bits=16                       | none
			permessage-deflate; unknown_parameter                               | none
			permessage-deflate; client_no_context_takeover; client_no_context_takeover | none
			x-webkit-deflate-frame                                              | none
			""")
	void negotiationAcceptsTheFirstOfferThisServerCanHonour(String offer, String response) {
		PerMessageDeflate.Agreement agreement = PerMessageDeflate.negotiate(List.of(offer));
		assertThat((agreement != null) ? agreement.response() : "none").isEqualTo(response);
	}

	private static WebSocketFrameDecoder clientDecoder(boolean resetPerMessage) {
		return new WebSocketFrameDecoder(1 << 20, 1 << 20, false, true, resetPerMessage);
	}

	private static ByteBuffer buffer(String hex) {
		return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
	}

}
