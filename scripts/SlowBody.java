import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The slow-body attack (not part of `mvn verify`; loopback only): CONNECTIONS clients each send
 * the head of a POST declaring a 1 MiB body, then trickle PIECE bytes of it every INTERVAL; a
 * client the server closes (408) is replaced at once, as an attacker would. Meanwhile one
 * well-behaved client sends GET / in a loop; at the end the counts and the well-behaved latency
 * are printed. Run by scripts/slow-body.sh, which also samples the server's live heap.
 *
 *   java scripts/SlowBody.java <seconds> <httpPort> [connections] [pieceBytes] [intervalMillis]
 */
public class SlowBody {

	static final byte[] HEAD = ("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
			+ "Content-Length: 1048576\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

	public static void main(String[] args) throws Exception {
		int seconds = Math.min(Integer.parseInt(args[0]), 600);
		int port = Integer.parseInt(args[1]);
		int connections = (args.length > 2) ? Integer.parseInt(args[2]) : 2000;
		int piece = (args.length > 3) ? Integer.parseInt(args[3]) : 100;
		long interval = (args.length > 4) ? Long.parseLong(args[4]) : 10_000;
		InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
		AtomicLong goodOk = new AtomicLong();
		AtomicLong goodFailed = new AtomicLong();
		AtomicLong goodMaxMillis = new AtomicLong();
		long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
		Thread good = new Thread(() -> wellBehaved(port, end, goodOk, goodFailed, goodMaxMillis), "well-behaved");
		good.start();

		List<SocketChannel> open = new ArrayList<>();
		long opened = 0;
		long refusedOrClosed = 0;
		long answered408 = 0;
		long answeredOther = 0;
		ByteBuffer response = ByteBuffer.allocate(256);
		ByteBuffer data = ByteBuffer.allocate(piece);
		for (int i = 0; i < connections; i++) {
			open.add(connect(address));
			opened++;
		}
		System.out.println("attack: " + connections + " connections, " + piece + " bytes every " + interval + " ms");
		while (System.nanoTime() < end) {
			long roundStart = System.nanoTime();
			for (int i = 0; i < open.size(); i++) {
				SocketChannel channel = open.get(i);
				boolean closed = false;
				try {
					response.clear();
					int n = channel.read(response);
					if (n > 0) {
						String text = new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII);
						if (text.startsWith("HTTP/1.1 408")) {
							answered408++;
						}
						else {
							answeredOther++;
						}
						closed = true;
					}
					else if (n < 0) {
						closed = true;
						refusedOrClosed++;
					}
					else {
						data.clear();
						channel.write(data);
					}
				}
				catch (IOException ex) {
					closed = true;
					refusedOrClosed++;
				}
				if (closed) {
					channel.close();
					try {
						open.set(i, connect(address));
						opened++;
					}
					catch (IOException ex) {
						refusedOrClosed++;
					}
				}
			}
			long left = interval - (System.nanoTime() - roundStart) / 1_000_000;
			if (left > 0) {
				Thread.sleep(Math.min(left, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
			}
		}
		good.join();
		for (SocketChannel channel : open) {
			channel.close();
		}
		System.out.printf("attack connections opened %d, answered 408 %d, other answers %d, closed or refused %d%n",
				opened, answered408, answeredOther, refusedOrClosed);
		System.out.printf("well-behaved GET /: %d ok, %d failed, slowest %d ms%n", goodOk.get(), goodFailed.get(),
				goodMaxMillis.get());
		System.exit((goodFailed.get() == 0 && goodOk.get() > 0) ? 0 : 1);
	}

	static SocketChannel connect(InetSocketAddress address) throws IOException {
		SocketChannel channel = SocketChannel.open(address);
		channel.write(ByteBuffer.wrap(HEAD));
		channel.write(ByteBuffer.wrap(new byte[] { 'x' }));
		channel.configureBlocking(false);
		return channel;
	}

	static void wellBehaved(int port, long end, AtomicLong ok, AtomicLong failed, AtomicLong maxMillis) {
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
			.timeout(Duration.ofSeconds(5)).build();
		while (System.nanoTime() < end) {
			long start = System.nanoTime();
			try {
				HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200) {
					ok.incrementAndGet();
				}
				else {
					failed.incrementAndGet();
				}
			}
			catch (IOException | InterruptedException ex) {
				failed.incrementAndGet();
			}
			maxMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

}
