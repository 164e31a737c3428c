package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The frame codec in memory: the examples of RFC 6455 §5.7, every rule that fails a connection
 * with its close code, fragmentation, and reads split anywhere.
 */
class WebSocketFrameDecoderTests {

	private static final byte[] KEY = { 0x37, (byte) 0xfa, 0x21, 0x3d };

	private final RecordingSink sink = new RecordingSink();

	// RFC 6455 §5.7 examples

	@Test
	void rfcExampleSingleFrameUnmaskedTextIsHello() {
		decodeAsClient("810548656c6c6f");
		assertThat(this.sink.events).containsExactly("text Hello");
	}

	@Test
	void rfcExampleSingleFrameMaskedTextIsHello() {
		decodeAsServer("818537fa213d7f9f4d5158");
		assertThat(this.sink.events).containsExactly("text Hello");
	}

	@Test
	void rfcExampleFragmentedUnmaskedTextIsOneHelloMessage() {
		decodeAsClient("010348656c" + "80026c6f");
		assertThat(this.sink.events).containsExactly("text Hello");
	}

	@Test
	void rfcExampleUnmaskedPingAndMaskedPongCarryHello() {
		decodeAsClient("890548656c6c6f");
		decodeAsServer("8a8537fa213d7f9f4d5158");
		assertThat(this.sink.events).containsExactly("ping 48656c6c6f", "pong 48656c6c6f");
	}

	@Test
	void rfcExample256ByteBinaryUses16BitLength() {
		ByteBuffer frame = WebSocketFrameEncoder.binary(ByteBuffer.allocate(256));
		assertThat(HexFormat.of().formatHex(frame.array(), 0, 4)).isEqualTo("827e0100");
		new WebSocketFrameDecoder(1 << 20, 1 << 20, false).decode(frame, this.sink);
		assertThat(this.sink.events).containsExactly("binary 256 bytes");
	}

	@Test
	void rfcExample64KiBBinaryUses64BitLength() {
		ByteBuffer frame = WebSocketFrameEncoder.binary(ByteBuffer.allocate(65536));
		assertThat(HexFormat.of().formatHex(frame.array(), 0, 10)).isEqualTo("827f0000000000010000");
		new WebSocketFrameDecoder(1 << 20, 1 << 20, false).decode(frame, this.sink);
		assertThat(this.sink.events).containsExactly("binary 65536 bytes");
	}

	@Test
	void encoderWritesTheRfcExamplesByteForByte() {
		assertThat(hex(WebSocketFrameEncoder.text("Hello"))).isEqualTo("810548656c6c6f");
		assertThat(hex(WebSocketFrameEncoder.frame(WebSocketFrameDecoder.TEXT, true,
				"Hello".getBytes(StandardCharsets.US_ASCII), 0, -1, KEY))).isEqualTo("818537fa213d7f9f4d5158");
		assertThat(hex(WebSocketFrameEncoder.pong(ByteBuffer.wrap("Hello".getBytes(StandardCharsets.US_ASCII)))))
			.isEqualTo("8a0548656c6c6f");
	}

	// Fragmentation and control frames

	@Test
	void aPingBetweenFragmentsIsDeliveredFirstAndTheMessageStaysWhole() {
		decodeAsServer(masked(0x01, false, "Hel") + masked(0x89, true, "hi") + masked(0x00, false, "l")
				+ masked(0x80, true, "o"));
		assertThat(this.sink.events).containsExactly("ping 6869", "text Hello");
	}

	@Test
	void aUtf8SequenceSplitAcrossFragmentsIsAccepted() {
		byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // e2 82 ac
		decodeAsServer(maskedBytes(0x01, new byte[] { euro[0] }) + maskedBytes(0x80, new byte[] { euro[1], euro[2] }));
		assertThat(this.sink.events).containsExactly("text €");
	}

	@Test
	void everySplitOfAStreamDecodesTheSame() {
		byte[] stream = HexFormat.of()
			.parseHex(masked(0x01, false, "Hel") + masked(0x89, true, "x") + masked(0x80, true, "lo")
					+ maskedBytes(0x82, new byte[300]) + maskedBytes(0x88, WebSocketFrameEncoder.closePayload(1000, "bye")));
		for (int split = 0; split <= stream.length; split++) {
			RecordingSink split2 = new RecordingSink();
			WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(1024, 1024, true);
			decoder.decode(ByteBuffer.wrap(stream, 0, split), split2);
			decoder.decode(ByteBuffer.wrap(stream, split, stream.length - split), split2);
			assertThat(split2.events).as("split at %d", split)
				.containsExactly("ping 78", "text Hello", "binary 300 bytes", "close 1000 bye");
		}
	}

	@Test
	void aCloseFrameCarriesItsCodeAndReasonAndEndsDecoding() {
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(1024, 1024, true);
		decoder.decode(buffer(maskedBytes(0x88, WebSocketFrameEncoder.closePayload(1001, "going")) + masked(0x81, true,
				"after")), this.sink);
		assertThat(this.sink.events).containsExactly("close 1001 going");
		assertThat(decoder.isDone()).isTrue();
	}

	@Test
	void anEmptyCloseFrameReportsNoStatus() {
		decodeAsServer(maskedBytes(0x88, new byte[0]));
		assertThat(this.sink.events).containsExactly("close 1005 ");
	}

	@Test
	void closeReasonsAreCutAtACharacterBoundaryToFitAControlFrame() {
		byte[] payload = WebSocketFrameEncoder.closePayload(1000, "é".repeat(100));
		assertThat(payload.length).isLessThanOrEqualTo(125);
		decodeAsServer(maskedBytes(0x88, payload));
		assertThat(this.sink.events).containsExactly("close 1000 " + "é".repeat(61));
	}

	// Failures, each with its close code

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			unmasked client frame              | 1002 | 810548656c6c6f
			RSV1 without an extension          | 1002 | c18037fa213d
			reserved data opcode 0x3           | 1002 | 838037fa213d
			reserved control opcode 0xB        | 1002 | 8b8037fa213d
			fragmented ping                    | 1002 | 098037fa213d
			ping payload over 125 bytes        | 1002 | 89fe007e
			continuation without a message     | 1002 | 808037fa213d
			text inside a fragmented message   | 1002 | 018037fa213d818037fa213d
			close with a 1-byte payload        | 1002 | 888137fa213d37
			close code 1005 on the wire        | 1002 | 888237fa213d3417
			close code 999                     | 1002 | 888237fa213d341d
			16-bit length under 126            | 1002 | 82fe007d
			64-bit length under 65536          | 1002 | 82ff0000000000000100
			64-bit length with the top bit set | 1002 | 82ff8000000000000000
			invalid UTF-8 in a text message    | 1007 | 818137fa213dc8
			overlong UTF-8 (C0 80)             | 1007 | 818237fa213df77a
			text ending inside a sequence      | 1007 | 818137fa213dd5
			invalid UTF-8 in a close reason    | 1007 | 888337fa213d3412c8
			frame over max-frame-size          | 1009 | 82ff0000000000010001
			""")
	void brokenRulesFailWithTheirCloseCode(String rule, int code, String hex) {
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(65536, 65536, true);
		assertThatExceptionOfType(WebSocketProtocolException.class)
			.isThrownBy(() -> decoder.decode(buffer(hex), this.sink))
			.satisfies((ex) -> assertThat(ex.closeCode()).as(ex.getMessage()).isEqualTo(code));
		assertThat(decoder.isDone()).isTrue();
		assertThat(this.sink.events).isEmpty();
	}

	@Test
	void aMessageOverMaxMessageSizeFailsWith1009AtTheFragmentThatPassesIt() {
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(8, 12, true);
		decoder.decode(buffer(masked(0x01, false, "12345678")), this.sink);
		assertThatExceptionOfType(WebSocketProtocolException.class)
			.isThrownBy(() -> decoder.decode(buffer(masked(0x80, true, "12345")), this.sink))
			.satisfies((ex) -> assertThat(ex.closeCode()).isEqualTo(1009));
	}

	@Test
	void aFrameDeclaringAHugeLengthFailsBeforeAnyPayloadArrives() {
		WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(1024, 1024, true);
		assertThatExceptionOfType(WebSocketProtocolException.class)
			.isThrownBy(() -> decoder.decode(buffer("82ff7fffffffffffffff"), this.sink))
			.satisfies((ex) -> assertThat(ex.closeCode()).isEqualTo(1009));
	}

	@Test
	void aMaskedFrameFromTheServerFailsAClientDecoder() {
		assertThatExceptionOfType(WebSocketProtocolException.class)
			.isThrownBy(() -> decodeAsClient("818537fa213d7f9f4d5158"))
			.satisfies((ex) -> assertThat(ex.closeCode()).isEqualTo(1002));
	}

	@Test
	void closeCodesThatMayNotBeSentAreRefusedByTheEncoder() {
		for (int code : new int[] { 999, 1004, 1005, 1006, 1015, 2000, 5000 }) {
			assertThat(WebSocketCloseCodes.isSendable(code)).as("%d", code).isFalse();
		}
		for (int code : new int[] { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 3000, 4999 }) {
			assertThat(WebSocketCloseCodes.isSendable(code)).as("%d", code).isTrue();
		}
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> WebSocketFrameEncoder.close(1006, "no"));
	}

	private void decodeAsServer(String hex) {
		new WebSocketFrameDecoder(1 << 20, 1 << 20, true).decode(buffer(hex), this.sink);
	}

	private void decodeAsClient(String hex) {
		new WebSocketFrameDecoder(1 << 20, 1 << 20, false).decode(buffer(hex), this.sink);
	}

	static String masked(int firstByte, boolean unused, String payload) {
		return maskedBytes(firstByte, payload.getBytes(StandardCharsets.UTF_8));
	}

	static String maskedBytes(int firstByte, byte[] payload) {
		return hex(WebSocketFrameEncoder.frame(firstByte & 0x0F, (firstByte & 0x80) != 0, payload, 0, -1, KEY));
	}

	private static ByteBuffer buffer(String hex) {
		return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
	}

	private static String hex(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
