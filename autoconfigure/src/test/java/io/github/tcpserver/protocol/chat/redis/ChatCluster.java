package io.github.tcpserver.protocol.chat.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.protocol.chat.ChatMessageFilter;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances of the shared room for the tests: each with its own Redis connections, its own
 * {@link RedisChatRoom} and its own server on a loopback port, as separate processes would have.
 */
final class ChatCluster implements AutoCloseable {

	private final int redisPort;

	private final Duration memberTtl;

	private final List<Instance> instances = new ArrayList<>();

	private final List<Socket> sockets = new ArrayList<>();

	ChatCluster(int redisPort, Duration memberTtl) {
		this.redisPort = redisPort;
		this.memberTtl = memberTtl;
	}

	Instance start() {
		return start(ChatRoom.DEFAULT_MAX_PENDING_OUTPUT, ServerConfig.builder().ioThreads(2).build());
	}

	Instance start(long maxPendingOutput, ServerConfig config) {
		Instance instance = new Instance(connectionFactory(this.redisPort), maxPendingOutput, config, this.memberTtl);
		this.instances.add(instance);
		TestSockets.await(Duration.ofSeconds(20), "instance " + instance.room.instanceId() + " connected to Redis",
				() -> instance.room.state() == RedisChatRoom.State.UP);
		return instance;
	}

	/** Lettuce with short command timeouts, so that an outage is noticed within a heartbeat. */
	static LettuceConnectionFactory connectionFactory(int redisPort) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", redisPort),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	LineClient connect(Instance instance) throws IOException {
		Socket socket = TestSockets.connect(instance.port());
		socket.setSoTimeout(15_000);
		this.sockets.add(socket);
		LineClient client = new LineClient(socket);
		assertThat(client.readLine()).startsWith("* Welcome to the chat! What is your name?");
		return client;
	}

	LineClient login(Instance instance, String name) throws IOException {
		LineClient client = connect(instance);
		client.send("NAME: " + name);
		assertThat(client.readLine()).startsWith("* Welcome, " + name + "!");
		return client;
	}

	@Override
	public void close() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
		for (Instance instance : this.instances) {
			instance.close();
		}
	}

	/** One instance: its Redis connections, its room and its server. */
	static final class Instance implements AutoCloseable {

		final LettuceConnectionFactory connectionFactory;

		final RedisChatRoom room;

		final SelectorServer server;

		private boolean closed;

		Instance(LettuceConnectionFactory connectionFactory, long maxPendingOutput, ServerConfig config,
				Duration memberTtl) {
			this.connectionFactory = connectionFactory;
			this.room = new RedisChatRoom(connectionFactory, ChatMessageFilter.ACCEPT_ALL, maxPendingOutput,
					new RedisChatRoom.Settings("chat", memberTtl, 100_000, Duration.ofSeconds(5)));
			this.room.start();
			this.server = new SelectorServer(config, List.of(new ListenerSpec("chat", InetAddress.getLoopbackAddress(),
					0, new FramingHandler<>(new LineCodec(1024), new ChatProtocol(this.room)))));
			this.server.start();
		}

		int port() {
			return this.server.port("chat");
		}

		/** A graceful stop: the server's members are told, then the room releases their names. */
		void stopGracefully() {
			this.server.stop(Duration.ofSeconds(5));
			close();
		}

		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			this.closed = true;
			this.server.stop(Duration.ZERO);
			this.room.close();
			this.connectionFactory.destroy();
		}

	}

	/** A line client, as {@code nc} would be. */
	static final class LineClient {

		final Socket socket;

		final OutputStream out;

		final BufferedReader in;

		LineClient(Socket socket) throws IOException {
			this.socket = socket;
			this.out = socket.getOutputStream();
			this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
		}

		void send(String line) throws IOException {
			this.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			this.out.flush();
		}

		/** @return the next line, or {@code null} once the server closed the connection */
		String readLine() throws IOException {
			try {
				return this.in.readLine();
			}
			catch (SocketTimeoutException ex) {
				throw new AssertionError("No line from the server within the read timeout", ex);
			}
		}

		/** Reads lines until one equals {@code expected}; fails if the connection ends first. */
		List<String> readUntil(String expected) throws IOException {
			List<String> seen = new ArrayList<>();
			while (true) {
				String line = readLine();
				assertThat(line).as("connection open while waiting for '%s' after %s", expected, seen).isNotNull();
				if (line.equals(expected)) {
					return seen;
				}
				seen.add(line);
			}
		}

		/** Reads lines until one starts with {@code prefix}; fails if the connection ends first. */
		String readUntilStart(String prefix) throws IOException {
			List<String> seen = new ArrayList<>();
			while (true) {
				String line = readLine();
				assertThat(line).as("connection open while waiting for '%s...' after %s", prefix, seen).isNotNull();
				if (line.startsWith(prefix)) {
					return line;
				}
				seen.add(line);
			}
		}

	}

}
