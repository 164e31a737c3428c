package io.github.tcpserver.core;

import java.nio.ByteBuffer;

/**
 * Scratch buffers one I/O loop lends to the transport layers of its connections: decrypted bytes
 * on their way to a handler, encrypted bytes on their way to a socket. Shared because a loop
 * serves one connection at a time, so TLS costs no buffer per connection beyond a partial record;
 * allocated on first use (a loop with only plain connections never has them) and grown when the
 * engine asks for more.
 */
final class LayerBuffers {

	private final int minimumSize;

	private ByteBuffer application;

	private ByteBuffer network;

	/** @param minimumSize the smallest capacity of either buffer (the loop's read buffer size) */
	LayerBuffers(int minimumSize) {
		this.minimumSize = minimumSize;
	}

	/**
	 * @param size the capacity needed at least
	 * @return the heap buffer for plaintext, its content undefined
	 */
	ByteBuffer application(int size) {
		if (this.application == null || this.application.capacity() < size) {
			this.application = ByteBuffer.allocate(Math.max(size, this.minimumSize));
		}
		return this.application;
	}

	/**
	 * @param size the capacity needed at least
	 * @return the direct buffer for wire bytes (written to the socket without a staging copy),
	 * its content undefined
	 */
	ByteBuffer network(int size) {
		if (this.network == null || this.network.capacity() < size) {
			this.network = ByteBuffer.allocateDirect(Math.max(size, this.minimumSize));
		}
		return this.network;
	}

}
