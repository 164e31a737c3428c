package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Cuts frames of a 4-byte big-endian unsigned length header followed by that many bytes. A frame
 * that lies wholly in the input is passed on as a view of the input (no copy); only a frame split
 * over reads is assembled, in a buffer of exactly its size. A header announcing more than
 * {@code maxFrameSize} fails with {@link TooLongFrameException} before any payload is buffered.
 */
public final class LengthPrefixedDecoder implements FrameDecoder<ByteBuffer> {

	private final int maxFrameSize;

	/** Header bytes read so far of the next frame, 0 to 4. */
	private int headerBytes;

	/** The header value, accumulated byte by byte when the header is split. */
	private long frameLength;

	/** The frame being assembled across reads, or {@code null}. */
	private ByteBuffer assembling;

	public LengthPrefixedDecoder(int maxFrameSize) {
		if (maxFrameSize < 0) {
			throw new IllegalArgumentException("maxFrameSize must not be negative but was " + maxFrameSize);
		}
		this.maxFrameSize = maxFrameSize;
	}

	@Override
	public void decode(ByteBuffer in, Consumer<? super ByteBuffer> out) {
		while (in.hasRemaining()) {
			if (this.assembling == null) {
				if (!readHeader(in)) {
					return;
				}
				int length = (int) this.frameLength;
				if (in.remaining() >= length) {
					emitInPlace(in, length, out);
					continue;
				}
				this.assembling = ByteBuffer.allocate(length);
			}
			int n = Math.min(this.assembling.remaining(), in.remaining());
			this.assembling.put(this.assembling.position(), in, in.position(), n);
			this.assembling.position(this.assembling.position() + n);
			in.position(in.position() + n);
			if (this.assembling.hasRemaining()) {
				return;
			}
			ByteBuffer frame = this.assembling.flip();
			nextFrame();
			out.accept(frame);
		}
	}

	/** @return {@code true} once all four header bytes are in and the length is within the limit */
	private boolean readHeader(ByteBuffer in) {
		while (this.headerBytes < LengthPrefixedCodec.HEADER_LENGTH && in.hasRemaining()) {
			this.frameLength = (this.frameLength << 8) | (in.get() & 0xFF);
			this.headerBytes++;
		}
		if (this.headerBytes < LengthPrefixedCodec.HEADER_LENGTH) {
			return false;
		}
		if (this.frameLength > this.maxFrameSize) {
			long announced = this.frameLength;
			nextFrame();
			throw new TooLongFrameException(
					"Frame of " + announced + " bytes announced, over the maximum of " + this.maxFrameSize,
					this.maxFrameSize);
		}
		return true;
	}

	/** Hands on a frame that is wholly in {@code in} by narrowing {@code in} to it: no copy, no garbage. */
	private void emitInPlace(ByteBuffer in, int length, Consumer<? super ByteBuffer> out) {
		int limit = in.limit();
		int end = in.position() + length;
		nextFrame();
		in.limit(end);
		try {
			out.accept(in);
		}
		finally {
			// Whatever the consumer did with the view, the stream continues after the frame.
			in.limit(limit).position(end);
		}
	}

	private void nextFrame() {
		this.headerBytes = 0;
		this.frameLength = 0;
		this.assembling = null;
	}

	/** @return bytes of an unfinished frame (header included) held since the last complete frame */
	public int pendingBytes() {
		return (this.assembling != null) ? LengthPrefixedCodec.HEADER_LENGTH + this.assembling.position()
				: this.headerBytes;
	}

}
