package io.github.tcpserver.codec;

import java.nio.ByteBuffer;

/**
 * Length-prefixed frames: a 4-byte big-endian unsigned length, then that many payload bytes, at
 * most {@code maxFrameSize}. Frames are binary; wrap in {@link Utf8Codec} for text.
 */
public final class LengthPrefixedCodec implements FrameCodec<ByteBuffer> {

	/** Bytes of the length header. */
	public static final int HEADER_LENGTH = 4;

	private final int maxFrameSize;

	/**
	 * @param maxFrameSize the largest payload accepted, in bytes, header excluded
	 */
	public LengthPrefixedCodec(int maxFrameSize) {
		if (maxFrameSize < 0) {
			throw new IllegalArgumentException("maxFrameSize must not be negative but was " + maxFrameSize);
		}
		this.maxFrameSize = maxFrameSize;
	}

	public int maxFrameSize() {
		return this.maxFrameSize;
	}

	@Override
	public LengthPrefixedDecoder newDecoder() {
		return new LengthPrefixedDecoder(this.maxFrameSize);
	}

	/**
	 * Frames {@code payload}. The maximum is not enforced here: it guards what this side accepts,
	 * and a relay (a chat server) must be able to pass on a message plus its own prefix.
	 * @param payload the payload, between position and limit (not consumed)
	 */
	@Override
	public ByteBuffer encode(ByteBuffer payload) {
		int length = payload.remaining();
		ByteBuffer encoded = ByteBuffer.allocate(HEADER_LENGTH + length);
		encoded.putInt(length).put(payload.duplicate()).flip();
		return encoded;
	}

	@Override
	public String toString() {
		return "length-prefixed frames of at most " + this.maxFrameSize + " bytes";
	}

}
