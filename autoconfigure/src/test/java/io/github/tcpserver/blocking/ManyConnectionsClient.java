package io.github.tcpserver.blocking;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the many-connections test, run as a child process so that its sockets count
 * against its own file descriptor limit, not the server's. One thread, non-blocking channels.
 * Protocol on stdin/stdout: prints {@code connected}, waits for {@code go}, sends each connection
 * its index and checks the echo, prints {@code echoed N}, waits for {@code close}, closes all.
 */
public final class ManyConnectionsClient {

	/** Connects in flight at once, well under the listen backlog. */
	private static final int CONNECT_WINDOW = 256;

	private ManyConnectionsClient() {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int count = Integer.parseInt(args[1]);
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		List<SocketChannel> channels = new ArrayList<>(count);
		try (Selector selector = Selector.open()) {
			connectAll(selector, port, count, channels);
			System.out.println("connected");
			System.out.flush();
			expect(commands, "go");
			System.out.println("echoed " + echoAll(selector, channels));
			System.out.flush();
			expect(commands, "close");
		}
		finally {
			for (SocketChannel channel : channels) {
				channel.close();
			}
		}
	}

	private static void connectAll(Selector selector, int port, int count, List<SocketChannel> channels)
			throws IOException {
		InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
		int pending = 0;
		while (channels.size() < count || pending > 0) {
			while (pending < CONNECT_WINDOW && channels.size() < count) {
				SocketChannel channel = SocketChannel.open();
				channel.configureBlocking(false);
				channels.add(channel);
				if (channel.connect(server)) {
					continue;
				}
				channel.register(selector, SelectionKey.OP_CONNECT);
				pending++;
			}
			if (selector.select(30_000) == 0) {
				throw new IOException("No connect completed within 30 s; " + pending + " pending");
			}
			for (SelectionKey key : selector.selectedKeys()) {
				((SocketChannel) key.channel()).finishConnect();
				key.interestOps(0);
				pending--;
			}
			selector.selectedKeys().clear();
		}
	}

	private static int echoAll(Selector selector, List<SocketChannel> channels) throws IOException {
		for (int i = 0; i < channels.size(); i++) {
			ByteBuffer message = ByteBuffer.allocate(8).putLong(0, i);
			// 8 bytes always fit an empty send buffer.
			if (channels.get(i).write(message) != 8) {
				throw new IOException("Short write on connection " + i);
			}
			SelectionKey key = channels.get(i).keyFor(selector);
			if (key == null) {
				key = channels.get(i).register(selector, 0);
			}
			key.attach(new Object[] { i, ByteBuffer.allocate(8) });
			key.interestOps(SelectionKey.OP_READ);
		}
		int echoed = 0;
		while (echoed < channels.size()) {
			if (selector.select(30_000) == 0) {
				throw new IOException("No echo within 30 s; " + echoed + " of " + channels.size() + " echoed");
			}
			for (SelectionKey key : selector.selectedKeys()) {
				Object[] state = (Object[]) key.attachment();
				ByteBuffer reply = (ByteBuffer) state[1];
				if (((SocketChannel) key.channel()).read(reply) < 0) {
					throw new IOException("Connection " + state[0] + " closed before its echo");
				}
				if (!reply.hasRemaining()) {
					if (reply.getLong(0) != (int) state[0]) {
						throw new IOException("Connection " + state[0] + " echoed " + reply.getLong(0));
					}
					key.interestOps(0);
					echoed++;
				}
			}
			selector.selectedKeys().clear();
		}
		return echoed;
	}

	private static void expect(BufferedReader commands, String command) throws IOException {
		String line = commands.readLine();
		if (!command.equals(line)) {
			throw new IOException("Expected '" + command + "' but got '" + line + "'");
		}
	}

}
