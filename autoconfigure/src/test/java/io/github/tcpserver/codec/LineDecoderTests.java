package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LineDecoder} in memory: bytes in, lines out.
 */
class LineDecoderTests {

	private final List<String> lines = new ArrayList<>();

	private static ByteBuffer bytes(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	private static ByteBuffer direct(byte[] bytes) {
		return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
	}

	@Test
	void manyLinesInOneReadComeOutInOrderWithEitherTerminator() {
		LineDecoder decoder = new LineDecoder(16);
		ByteBuffer in = bytes("one\ntwo\r\n\nthree\r\nfour");
		decoder.decode(in, this.lines::add);
		assertThat(this.lines).containsExactly("one", "two", "", "three");
		assertThat(in.hasRemaining()).isFalse();
		assertThat(decoder.pendingBytes()).isEqualTo(4);
		decoder.decode(bytes("\n"), this.lines::add);
		assertThat(this.lines).endsWith("four");
	}

	@Test
	void aLineSplitByteByByteDecodesTheSameAsInOneRead() {
		byte[] stream = "héllo wörld\r\n€ ok\n".getBytes(StandardCharsets.UTF_8);
		LineDecoder decoder = new LineDecoder(64);
		for (byte b : stream) {
			decoder.decode(direct(new byte[] { b }), this.lines::add);
		}
		assertThat(this.lines).containsExactly("héllo wörld", "€ ok");
		assertThat(decoder.pendingBytes()).isZero();
	}

	@Test
	void aLineOfExactlyTheMaximumIsAcceptedWithOrWithoutCarriageReturn() {
		LineDecoder decoder = new LineDecoder(5);
		decoder.decode(direct("12345\r\n12345\n".getBytes(StandardCharsets.US_ASCII)), this.lines::add);
		assertThat(this.lines).containsExactly("12345", "12345");
	}

	@Test
	void aLineOverTheMaximumFailsWithATypedExceptionAsSoonAsItIsCertain() {
		LineDecoder decoder = new LineDecoder(5);
		decoder.decode(bytes("123"), this.lines::add);
		assertThatThrownBy(() -> decoder.decode(bytes("4567"), this.lines::add))
			.isInstanceOfSatisfying(TooLongFrameException.class, (ex) -> assertThat(ex.limit()).isEqualTo(5));
		assertThatThrownBy(() -> new LineDecoder(5).decode(bytes("123456\n"), this.lines::add))
			.isInstanceOf(TooLongFrameException.class);
		assertThatThrownBy(() -> new LineDecoder(5).decode(bytes("123456\r\n"), this.lines::add))
			.isInstanceOf(TooLongFrameException.class);
		assertThat(this.lines).isEmpty();
	}

	@Test
	void invalidUtf8FailsWithCorruptedFrameExceptionNotReplacementCharacters() {
		byte[][] invalid = { { (byte) 0xC3 }, // truncated
				{ (byte) 0xC0, (byte) 0xAF }, // overlong '/'
				{ (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, // surrogate U+D800
				{ (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, // above U+10FFFF
				{ (byte) 0x80 }, { (byte) 0xFF } };
		for (byte[] bad : invalid) {
			ByteBuffer in = ByteBuffer.allocate(bad.length + 1).put(bad).put((byte) '\n').flip();
			assertThatThrownBy(() -> new LineDecoder(16).decode(in, this.lines::add))
				.as("bytes %s", java.util.Arrays.toString(bad))
				.isInstanceOf(CorruptedFrameException.class);
		}
		assertThat(this.lines).isEmpty();
	}

	@Test
	void validMultiByteCharactersOfEveryLengthPass() {
		String text = "a\u00e9\u20ac\ud83d\ude00\uffff\u0800\udbff\udfff";
		new LineDecoder(64).decode(bytes(text + "\n"), this.lines::add);
		assertThat(this.lines).containsExactly(text);
	}

	@Test
	void encodingAppendsALineFeedAndRefusesEmbeddedLineBreaks() {
		LineCodec codec = new LineCodec(10);
		assertThat(StandardCharsets.UTF_8.decode(codec.encode("hé")).toString()).isEqualTo("hé\n");
		assertThatThrownBy(() -> codec.encode("a\nb")).isInstanceOf(IllegalArgumentException.class);
	}

}
