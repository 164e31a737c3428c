package io.github.tcpserver.core;

import java.nio.ByteBuffer;

/**
 * A connection's queue of buffers waiting for the socket: a growable ring that tracks the bytes it
 * holds. Loop-thread only. A ring rather than {@code ArrayDeque} so that gathering the head
 * buffers into one write needs no iterator (no garbage per flush).
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
	 * Copies the queued bytes, from the head on, into {@code into} until it is full or the queue
	 * is exhausted, without consuming them (see {@link #consumed(long)}).
	 * @return how many bytes were copied
	 */
	int copyInto(ByteBuffer into) {
		int mask = this.ring.length - 1;
		int copied = 0;
		for (int i = 0; i < this.size && into.hasRemaining(); i++) {
			ByteBuffer buffer = this.ring[(this.head + i) & mask];
			int length = Math.min(buffer.remaining(), into.remaining());
			into.put(into.position(), buffer, buffer.position(), length);
			into.position(into.position() + length);
			copied += length;
		}
		return copied;
	}

	/**
	 * Accounts for {@code written} bytes taken by the socket: advances the head buffers past them
	 * and drops the buffers that are now empty.
	 */
	void consumed(long written) {
		this.bytes -= written;
		int mask = this.ring.length - 1;
		long left = written;
		while (this.size > 0) {
			ByteBuffer head = this.ring[this.head];
			int take = (int) Math.min(head.remaining(), left);
			head.position(head.position() + take);
			left -= take;
			if (head.hasRemaining()) {
				break;
			}
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
