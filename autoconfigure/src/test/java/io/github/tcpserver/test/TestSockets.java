package io.github.tcpserver.test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Real loopback clients for the integration tests, and waiting on conditions with a deadline.
 */
public final class TestSockets {

	private TestSockets() {
	}

	/** @return a blocking socket connected to 127.0.0.1:port, with a read timeout so no test can hang */
	public static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(30_000);
		socket.setTcpNoDelay(true);
		return socket;
	}

	/**
	 * A socket whose receive window is fixed small (set before connecting, so the kernel does not
	 * autotune it: loopback allows up to 32 MiB here, which would swallow a whole test reply
	 * and leave nothing queued in the server).
	 * @return a blocking socket connected to 127.0.0.1:port with a 16 KiB receive buffer
	 */
	public static Socket connectWithSmallWindow(int port) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(16 * 1024);
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(30_000);
		socket.setTcpNoDelay(true);
		return socket;
	}

	/** @return {@code length} pseudo-random bytes, reproducible from {@code seed} */
	public static byte[] randomBytes(int length, long seed) {
		byte[] bytes = new byte[length];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	/** Reads exactly {@code length} bytes or fails. */
	public static byte[] readFully(InputStream in, int length) throws IOException {
		byte[] bytes = in.readNBytes(length);
		if (bytes.length != length) {
			throw new IOException("Stream ended after " + bytes.length + " of " + length + " bytes");
		}
		return bytes;
	}

	/** Waits until {@code condition} holds, or fails after {@code timeout}. */
	public static void await(Duration timeout, String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + what);
			}
			// Poll interval of a deadline wait, not a timing assumption.
			LockSupport.parkNanos(5_000_000);
			if (Thread.interrupted()) {
				throw new AssertionError("Interrupted waiting for " + what);
			}
		}
	}

}
