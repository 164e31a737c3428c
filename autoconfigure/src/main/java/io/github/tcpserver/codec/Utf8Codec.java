package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Text over a binary framing: each frame of the wrapped codec is one UTF-8 string, e.g.
 * {@code new Utf8Codec(new LengthPrefixedCodec(4096))}. Malformed UTF-8 fails with
 * {@link CorruptedFrameException}.
 */
public final class Utf8Codec implements FrameCodec<String> {

	private final FrameCodec<ByteBuffer> binary;

	public Utf8Codec(FrameCodec<ByteBuffer> binary) {
		this.binary = binary;
	}

	@Override
	public FrameDecoder<String> newDecoder() {
		return new Decoder(this.binary.newDecoder());
	}

	@Override
	public ByteBuffer encode(String text) {
		return this.binary.encode(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
	}

	@Override
	public String toString() {
		return "UTF-8 text in " + this.binary;
	}

	/**
	 * Decodes each binary frame as text. The frame sink is made once per connection, not per
	 * read, and frames off the socket (a direct buffer) go through one reused scratch array.
	 */
	private static final class Decoder implements FrameDecoder<String> {

		private final FrameDecoder<ByteBuffer> binary;

		private final Consumer<ByteBuffer> toText = this::toText;

		private byte[] scratch = new byte[0];

		/** The caller's sink, set for the duration of one decode call. */
		private Consumer<? super String> out;

		Decoder(FrameDecoder<ByteBuffer> binary) {
			this.binary = binary;
		}

		@Override
		public void decode(ByteBuffer in, Consumer<? super String> out) {
			this.out = out;
			try {
				this.binary.decode(in, this.toText);
			}
			finally {
				this.out = null;
			}
		}

		private void toText(ByteBuffer frame) {
			int length = frame.remaining();
			String text;
			if (frame.hasArray()) {
				text = Utf8.decode(frame.array(), frame.arrayOffset() + frame.position(), length);
			}
			else {
				if (this.scratch.length < length) {
					this.scratch = new byte[Math.max(length, 2 * this.scratch.length)];
				}
				frame.get(frame.position(), this.scratch, 0, length);
				text = Utf8.decode(this.scratch, 0, length);
			}
			this.out.accept(text);
		}

	}

}
