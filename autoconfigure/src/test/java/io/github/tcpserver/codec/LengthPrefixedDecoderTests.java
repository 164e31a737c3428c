package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LengthPrefixedDecoder} and {@link Utf8Codec} in memory: bytes in, frames out.
 */
class LengthPrefixedDecoderTests {

	private final List<byte[]> frames = new ArrayList<>();

	private void collect(ByteBuffer frame) {
		byte[] copy = new byte[frame.remaining()];
		frame.get(copy);
		this.frames.add(copy);
	}

	private static byte[] stream(String... payloads) {
		LengthPrefixedCodec codec = new LengthPrefixedCodec(1024);
		ByteBuffer all = ByteBuffer.allocate(4096);
		for (String payload : payloads) {
			all.put(codec.encode(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8))));
		}
		all.flip();
		byte[] bytes = new byte[all.remaining()];
		all.get(bytes);
		return bytes;
	}

	private List<String> texts() {
		return this.frames.stream().map((f) -> new String(f, StandardCharsets.UTF_8)).toList();
	}

	@Test
	void manyFramesInOneReadIncludingAnEmptyOneComeOutInOrder() {
		LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(16);
		ByteBuffer in = ByteBuffer.wrap(stream("one", "", "three"));
		decoder.decode(in, this::collect);
		assertThat(texts()).containsExactly("one", "", "three");
		assertThat(in.hasRemaining()).isFalse();
		assertThat(decoder.pendingBytes()).isZero();
	}

	@Test
	void aFrameWhollyInTheInputIsAViewOfItNotACopy() {
		ByteBuffer in = ByteBuffer.wrap(stream("abc"));
		List<ByteBuffer> seen = new ArrayList<>();
		new LengthPrefixedDecoder(16).decode(in, (frame) -> {
			seen.add(frame);
			assertThat(frame.remaining()).isEqualTo(3);
		});
		assertThat(seen).singleElement().isSameAs(in);
	}

	@Test
	void framesSplitByteByByteDecodeTheSameAsInOneRead() {
		byte[] bytes = stream("hello", "", "wörld", "x".repeat(300));
		LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(1024);
		for (byte b : bytes) {
			decoder.decode(ByteBuffer.allocateDirect(1).put(b).flip(), this::collect);
		}
		assertThat(texts()).containsExactly("hello", "", "wörld", "x".repeat(300));
		assertThat(decoder.pendingBytes()).isZero();
	}

	@Test
	void framesSplitAtEveryOffsetDecodeTheSame() {
		byte[] bytes = stream("alpha", "beta", "gamma");
		for (int cut = 0; cut <= bytes.length; cut++) {
			this.frames.clear();
			LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(64);
			decoder.decode(ByteBuffer.wrap(bytes, 0, cut), this::collect);
			decoder.decode(ByteBuffer.wrap(bytes, cut, bytes.length - cut), this::collect);
			assertThat(texts()).as("cut at %d", cut).containsExactly("alpha", "beta", "gamma");
		}
	}

	@Test
	void aHeaderOverTheMaximumFailsBeforeAnyPayloadIsBuffered() {
		LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(8);
		decoder.decode(ByteBuffer.wrap(new byte[] { 0, 0 }), this::collect);
		assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(new byte[] { 0, 9 }), this::collect))
			.isInstanceOfSatisfying(TooLongFrameException.class, (ex) -> assertThat(ex.limit()).isEqualTo(8));
		// 0xFFFFFFFF is 4 GiB - 1 unsigned, not -1.
		assertThatThrownBy(() -> new LengthPrefixedDecoder(8)
			.decode(ByteBuffer.wrap(new byte[] { -1, -1, -1, -1 }), this::collect))
			.isInstanceOf(TooLongFrameException.class)
			.hasMessageContaining("4294967295");
		assertThat(this.frames).isEmpty();
	}

	@Test
	void encodingWritesABigEndianHeader() {
		LengthPrefixedCodec codec = new LengthPrefixedCodec(300);
		ByteBuffer encoded = codec.encode(ByteBuffer.wrap(new byte[258]));
		assertThat(encoded.remaining()).isEqualTo(262);
		assertThat(new byte[] { encoded.get(0), encoded.get(1), encoded.get(2), encoded.get(3) })
			.containsExactly(0, 0, 1, 2);
		assertThat(encoded.limit()).isEqualTo(262);
	}

	@Test
	void utf8TextOverLengthPrefixedFramesDecodesTextAndRejectsMalformedBytes() {
		Utf8Codec codec = new Utf8Codec(new LengthPrefixedCodec(64));
		List<String> texts = new ArrayList<>();
		FrameDecoder<String> decoder = codec.newDecoder();
		ByteBuffer one = codec.encode("grüße");
		ByteBuffer two = codec.encode("€");
		ByteBuffer in = ByteBuffer.allocateDirect(one.remaining() + two.remaining()).put(one).put(two).flip();
		decoder.decode(in, texts::add);
		assertThat(texts).containsExactly("grüße", "€");
		ByteBuffer bad = ByteBuffer.wrap(new byte[] { 0, 0, 0, 2, (byte) 0xC3, (byte) 0x28 });
		assertThatThrownBy(() -> codec.newDecoder().decode(bad, texts::add)).isInstanceOf(CorruptedFrameException.class);
	}

	@Test
	void rawFramingPassesEachReadThrough() {
		ByteBuffer in = ByteBuffer.wrap(new byte[] { 1, 2, 3 });
		new RawCodec().newDecoder().decode(in, this::collect);
		assertThat(this.frames).singleElement().isEqualTo(new byte[] { 1, 2, 3 });
		assertThat(in.hasRemaining()).isFalse();
	}

}
