package io.github.tcpserver.core;

import java.nio.ByteBuffer;

/**
 * A connection's queue of buffers waiting for the socket: a growable ring that tracks the bytes it
 * holds. Loop-thread only. A ring rather than {@code ArrayDeque} so that gathering the head
 * buffers for a vectored write needs no iterator (no garbage per flush).
 */
final class OutboundQueue {

	private ByteBuffer[] ring = new ByteBuffer[4];

	private int head;

	private int size;

	private long bytes;

	boolean isEmpty() {
		return this.size == 0;
	}

	int size() {
		return this.size;
	}

	/** @return bytes still unwritten across all queued buffers */
	long bytes() {
		return this.bytes;
	}

	void add(ByteBuffer buffer) {
		if (this.size == this.ring.length) {
			grow();
		}
		this.ring[(this.head + this.size) & (this.ring.length - 1)] = buffer;
		this.size++;
		this.bytes += buffer.remaining();
	}

	ByteBuffer peek() {
		return (this.size == 0) ? null : this.ring[this.head];
	}

	/**
	 * Copies up to {@code into.length} head buffers into {@code into}.
	 * @return how many were copied
	 */
	int gather(ByteBuffer[] into) {
		int n = Math.min(this.size, into.length);
		int mask = this.ring.length - 1;
		for (int i = 0; i < n; i++) {
			into[i] = this.ring[(this.head + i) & mask];
		}
		return n;
	}

	/**
	 * Accounts for {@code written} bytes taken by the socket and drops the buffers that are now
	 * empty.
	 */
	void consumed(long written) {
		this.bytes -= written;
		int mask = this.ring.length - 1;
		while (this.size > 0 && !this.ring[this.head].hasRemaining()) {
			this.ring[this.head] = null;
			this.head = (this.head + 1) & mask;
			this.size--;
		}
	}

	void clear() {
		java.util.Arrays.fill(this.ring, null);
		this.head = 0;
		this.size = 0;
		this.bytes = 0;
	}

	private void grow() {
		ByteBuffer[] bigger = new ByteBuffer[this.ring.length * 2];
		int mask = this.ring.length - 1;
		for (int i = 0; i < this.size; i++) {
			bigger[i] = this.ring[(this.head + i) & mask];
		}
		this.ring = bigger;
		this.head = 0;
	}

}
