package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Text lines: UTF-8, each ended by {@code \n} or {@code \r\n}, at most {@code maxLineLength}
 * bytes long (terminator excluded). Encoded lines end with {@code \n}.
 */
public final class LineCodec implements FrameCodec<String> {

	private final int maxLineLength;

	/**
	 * @param maxLineLength the longest line accepted, in bytes without the terminator
	 */
	public LineCodec(int maxLineLength) {
		if (maxLineLength < 1) {
			throw new IllegalArgumentException("maxLineLength must be at least 1 but was " + maxLineLength);
		}
		this.maxLineLength = maxLineLength;
	}

	public int maxLineLength() {
		return this.maxLineLength;
	}

	@Override
	public LineDecoder newDecoder() {
		return new LineDecoder(this.maxLineLength);
	}

	/**
	 * @param line the text of one line, without a terminator
	 * @throws IllegalArgumentException if {@code line} contains {@code \n} or {@code \r}, which
	 * would let it pass for several lines
	 */
	@Override
	public ByteBuffer encode(String line) {
		if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
			throw new IllegalArgumentException("A line must not contain a line break");
		}
		byte[] text = line.getBytes(StandardCharsets.UTF_8);
		ByteBuffer encoded = ByteBuffer.allocate(text.length + 1);
		encoded.put(text).put((byte) '\n').flip();
		return encoded;
	}

	@Override
	public String toString() {
		return "UTF-8 lines of at most " + this.maxLineLength + " bytes";
	}

}
