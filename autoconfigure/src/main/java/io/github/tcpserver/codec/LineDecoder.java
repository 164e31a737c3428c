package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts UTF-8 text lines ended by {@code \n} or {@code \r\n}, in the manner of Netty's
 * {@code LineBasedFrameDecoder}. A line passing {@code maxLineLength} bytes (terminator excluded)
 * fails with {@link TooLongFrameException} as soon as that is certain; invalid UTF-8 fails with
 * {@link CorruptedFrameException}.
 */
public final class LineDecoder implements FrameDecoder<String> {

	private static final byte[] EMPTY = new byte[0];

	private final int maxLineLength;

	/** The unfinished line's bytes, kept between reads; grows up to maxLineLength + 1 (a trailing CR). */
	private byte[] partial = EMPTY;

	private int partialLength;

	public LineDecoder(int maxLineLength) {
		if (maxLineLength < 1) {
			throw new IllegalArgumentException("maxLineLength must be at least 1 but was " + maxLineLength);
		}
		this.maxLineLength = maxLineLength;
	}

	@Override
	public void decode(ByteBuffer in, Consumer<? super String> out) {
		while (in.hasRemaining()) {
			int start = in.position();
			int limit = in.limit();
			int eol = indexOfLineFeed(in, start, limit);
			if (eol < 0) {
				append(in, start, limit);
				in.position(limit);
				return;
			}
			in.position(eol + 1);
			if (this.partialLength == 0 && in.hasArray()) {
				// The whole line is in a heap buffer: decode it in place, no copy.
				emit(in.array(), in.arrayOffset() + start, eol - start, out);
			}
			else {
				append(in, start, eol);
				int length = this.partialLength;
				this.partialLength = 0;
				emit(this.partial, 0, length, out);
			}
		}
	}

	/** @return the number of bytes of an unfinished line held since the last terminator */
	public int pendingBytes() {
		return this.partialLength;
	}

	private static int indexOfLineFeed(ByteBuffer in, int from, int to) {
		for (int i = from; i < to; i++) {
			if (in.get(i) == '\n') {
				return i;
			}
		}
		return -1;
	}

	private void append(ByteBuffer in, int from, int to) {
		int length = to - from;
		int needed = this.partialLength + length;
		// maxLineLength + 1: the last byte may be the CR of a CRLF still to come.
		if (needed > this.maxLineLength + 1) {
			this.partialLength = 0;
			throw tooLong();
		}
		if (needed > this.partial.length) {
			int size = Math.max(needed, Math.min(Math.max(this.partial.length * 2, 128), this.maxLineLength + 1));
			this.partial = Arrays.copyOf(this.partial, size);
		}
		in.get(from, this.partial, this.partialLength, length);
		this.partialLength = needed;
	}

	private void emit(byte[] bytes, int offset, int length, Consumer<? super String> out) {
		if (length > 0 && bytes[offset + length - 1] == '\r') {
			length--;
		}
		if (length > this.maxLineLength) {
			throw tooLong();
		}
		out.accept(Utf8.decode(bytes, offset, length));
	}

	private TooLongFrameException tooLong() {
		return new TooLongFrameException("Line longer than " + this.maxLineLength + " bytes", this.maxLineLength);
	}

}
