package io.github.tcpserver.sample.http;

import java.io.InputStream;

/**
 * A stream of {@code length} bytes whose value depends only on their offset, so a client can
 * check any part of a large download without the server holding it.
 */
final class GeneratedBytes extends InputStream {

	private final long length;

	private long position;

	GeneratedBytes(long length) {
		this.length = length;
	}

	/** @return the byte at {@code offset} of every such stream */
	static byte at(long offset) {
		return (byte) (offset % 251);
	}

	@Override
	public int read() {
		return (this.position < this.length) ? at(this.position++) & 0xff : -1;
	}

	@Override
	public int read(byte[] buffer, int offset, int count) {
		if (this.position >= this.length) {
			return -1;
		}
		int n = (int) Math.min(count, this.length - this.position);
		for (int i = 0; i < n; i++) {
			buffer[offset + i] = at(this.position++);
		}
		return n;
	}

}
