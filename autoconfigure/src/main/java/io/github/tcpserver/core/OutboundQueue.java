package io.github.tcpserver.core;

import java.nio.ByteBuffer;

/**
 * A connection's queue of buffers waiting for the socket: a growable ring that tracks the bytes it
 * holds, behind at most one <em>staged</em> buffer, the loop's direct staging buffer that a write
 * left partly unwritten, whose bytes go first and are never copied again. Loop-thread only. A
 * ring rather than {@code ArrayDeque} so that gathering the head buffers into one write needs no
 * iterator (no garbage per flush).
 */
final class OutboundQueue {

	private ByteBuffer[] ring = new ByteBuffer[4];

	private int head;

	private int size;

	private long bytes;

	/** Bytes already copied into direct memory and not yet taken by the socket; sent before the ring. */
	private ByteBuffer staged;

	/** Bytes copied into staging buffers over the queue's life, for tests of the copy-once rule. */
	private long copied;

	boolean isEmpty() {
		return this.size == 0 && this.staged == null;
	}

	int size() {
		return this.size + ((this.staged != null) ? 1 : 0);
	}

	/** @return the staged buffer, or {@code null} */
	ByteBuffer staged() {
		return this.staged;
	}

	/**
	 * Puts a staging buffer in front of the ring: its bytes between position and limit were
	 * copied from buffers the ring no longer holds (or never held).
	 */
	void stage(ByteBuffer buffer) {
		this.staged = buffer;
		this.bytes += buffer.remaining();
	}

	/** The socket took {@code written} bytes of the staged buffer (its position is advanced already). */
	void stagedWritten(int written) {
		this.bytes -= written;
	}

	/** @return the staged buffer, now written out and no longer the queue's */
	ByteBuffer unstage() {
		ByteBuffer buffer = this.staged;
		this.staged = null;
		return buffer;
	}

	/** @return bytes copied into staging buffers so far */
	long copiedBytes() {
		return this.copied;
	}

	/** Counts bytes copied into a staging buffer outside {@link #copyInto}. */
	void countCopied(int length) {
		this.copied += length;
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
	 * Copies the ring's bytes, from the head on, into {@code into} until it is full or the ring
	 * is exhausted, without consuming them (see {@link #consumed(long)}). Not the staged buffer.
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
		this.copied += copied;
		return copied;
	}

	/**
	 * Accounts for {@code written} bytes of the ring taken by the socket, or moved into the staged
	 * buffer: advances the head buffers past them and drops the buffers that are now empty.
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

	/** @return the staged buffer, if any, for the loop to reuse */
	ByteBuffer clear() {
		java.util.Arrays.fill(this.ring, null);
		this.head = 0;
		this.size = 0;
		this.bytes = 0;
		return unstage();
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
