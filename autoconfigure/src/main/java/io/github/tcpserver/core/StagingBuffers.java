package io.github.tcpserver.core;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The direct buffers an I/O loop writes heap bytes through. A write the socket takes only part of
 * leaves the rest in the buffer; the connection keeps that buffer (its bytes are copied once,
 * never again however many writes they take) and the loop goes on with a spare one, which the
 * connection gives back once it is written out. Spares are kept up to a bound, so a loop whose
 * connections stall now and then stops allocating. Loop thread only.
 */
final class StagingBuffers {

	/** Spares kept for reuse; beyond that a returned buffer is left to the garbage collector. */
	private static final int MAX_SPARES = 16;

	private final int size;

	private final ArrayDeque<ByteBuffer> spares = new ArrayDeque<>(MAX_SPARES);

	private ByteBuffer current;

	/** @param size the capacity of each buffer */
	StagingBuffers(int size) {
		this.size = size;
		this.current = ByteBuffer.allocateDirect(size);
	}

	/** @return the buffer to copy into now, its content undefined; valid until the next {@link #takeCurrent()} */
	ByteBuffer current() {
		return this.current;
	}

	/**
	 * Hands the current buffer, with the bytes the socket did not take between its position and
	 * limit, to a connection, and makes a spare current.
	 * @return the buffer, now the connection's
	 */
	ByteBuffer takeCurrent() {
		ByteBuffer taken = this.current;
		ByteBuffer spare = this.spares.poll();
		this.current = (spare != null) ? spare : ByteBuffer.allocateDirect(this.size);
		return taken;
	}

	/** A connection is done with a buffer it took. */
	void giveBack(ByteBuffer buffer) {
		if (this.spares.size() < MAX_SPARES) {
			buffer.clear();
			this.spares.push(buffer);
		}
	}

}
