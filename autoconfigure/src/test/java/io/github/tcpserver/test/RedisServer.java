package io.github.tcpserver.test;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package, installed by {@code scripts/test.sh}) on a free
 * loopback port, without persistence, started and stopped by the test; {@link #stop()} and
 * {@link #start()} again on the same port simulate an outage.
 */
public final class RedisServer implements AutoCloseable {

	private final int port;

	private final Path log;

	private Process process;

	private RedisServer(int port) throws IOException {
		this.port = port;
		this.log = Files.createTempFile("redis-server-" + port, ".log");
	}

	/** @return a started server on a free loopback port */
	public static RedisServer startOnFreePort() throws IOException {
		RedisServer server = new RedisServer(freePort());
		server.start();
		return server;
	}

	public int port() {
		return this.port;
	}

	/** Starts the server (again) on its port and waits until it answers PING. */
	public void start() throws IOException {
		ProcessBuilder builder = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"));
		builder.redirectErrorStream(true);
		builder.redirectOutput(this.log.toFile());
		builder.directory(new File(System.getProperty("java.io.tmpdir")));
		this.process = builder.start();
		TestSockets.await(Duration.ofSeconds(20), "redis-server answering on port " + this.port, this::answers);
	}

	/** Stops the server at once (SIGKILL) and waits until it has exited. */
	public void stop() throws InterruptedException {
		if (this.process != null) {
			this.process.destroyForcibly();
			if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
				throw new IllegalStateException("redis-server on port " + this.port + " did not stop");
			}
			this.process = null;
		}
	}

	@Override
	public void close() throws InterruptedException {
		stop();
	}

	/**
	 * Sends one inline command (words separated by spaces) on a connection of its own.
	 * @return the first line of the reply
	 */
	public String command(String command) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
			return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
					StandardCharsets.UTF_8)).readLine();
		}
	}

	private boolean answers() {
		if (!this.process.isAlive()) {
			String output;
			try {
				output = Files.readString(this.log);
			}
			catch (IOException ex) {
				output = ex.toString();
			}
			throw new IllegalStateException("redis-server exited: " + output);
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] reply = socket.getInputStream().readNBytes(7);
			return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
