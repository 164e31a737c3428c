import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens N echo connections from several loopback source addresses (127.0.0.2, 127.0.0.3, ...;
 * one address pair runs out of ephemeral ports near 28,000), does one 16-byte round trip on each
 * (so the server has really accepted and registered it), prints "OPEN n", holds them for HOLD
 * seconds, then closes them. One thread, non-blocking. Loopback only. Run by scripts/idle.sh.
 *
 * Usage: java scripts/IdleClients.java PORT CONNECTIONS HOLD_SECONDS
 */
public class IdleClients {

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int total = Math.min(Integer.parseInt(args[1]), 200_000);
		long hold = Math.min(Long.parseLong(args[2]), 600);
		int perAddress = 20_000;
		List<SocketChannel> channels = new ArrayList<>(total);
		byte[] probe = "0123456789abcdef".getBytes();
		try (Selector selector = Selector.open()) {
			int done = 0;
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
			for (int i = 0; i < total; i++) {
				SocketChannel channel = SocketChannel.open();
				channel.bind(new InetSocketAddress("127.0.0." + (2 + i / perAddress), 0));
				channel.connect(new InetSocketAddress("127.0.0.1", port));
				channel.write(ByteBuffer.wrap(probe));
				channel.configureBlocking(false);
				channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(16));
				channels.add(channel);
				// Collect echoes as we go, so the server's queues never back up.
				done += collect(selector, 0);
			}
			while (done < total) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("only " + done + " of " + total + " echoes arrived");
				}
				done += collect(selector, 1000);
			}
			System.out.println("OPEN " + channels.size());
			System.out.flush();
			TimeUnit.SECONDS.sleep(hold);
		}
		finally {
			for (SocketChannel channel : channels) {
				try {
					channel.close();
				}
				catch (IOException ignored) {
				}
			}
		}
		System.out.println("CLOSED " + channels.size());
	}

	private static int collect(Selector selector, long timeout) throws IOException {
		int n = (timeout == 0) ? selector.selectNow() : selector.select(timeout);
		if (n == 0) {
			return 0;
		}
		int completed = 0;
		for (SelectionKey key : selector.selectedKeys()) {
			ByteBuffer buffer = (ByteBuffer) key.attachment();
			if (((SocketChannel) key.channel()).read(buffer) < 0) {
				throw new IOException("server closed a connection");
			}
			if (!buffer.hasRemaining()) {
				key.interestOps(0);
				key.attach(null);
				completed++;
			}
		}
		selector.selectedKeys().clear();
		return completed;
	}

}
