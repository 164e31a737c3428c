package io.github.tcpserver.blocking;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.protocol.websocket.WebSocketHandler;
import io.github.tcpserver.protocol.websocket.WebSocketLimits;
import io.github.tcpserver.protocol.websocket.WebSocketSession;
import io.github.tcpserver.protocol.websocket.WebSocketUpgradeHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blocking WebSocket handler on an executor: it runs off the single I/O thread, so a session
 * blocked in its handler does not stall another one, and each session's messages keep their order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffloadingWebSocketHandlerTests {

	private final CountDownLatch release = new CountDownLatch(1);

	private final ExecutorService executor = Executors.newFixedThreadPool(4);

	private final WebSocketHandler blocking = new WebSocketHandler() {

		@Override
		public void onText(WebSocketSession session, String text) {
			if (text.equals("block")) {
				try {
					OffloadingWebSocketHandlerTests.this.release.await(); // a blocking call, as to a database
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			session.sendText(text + " on " + (Thread.currentThread().getName().startsWith("pool") ? "executor" : "loop"));
		}

	};

	private final SelectorServer server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
			List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0,
					new HttpServerHandler(new HttpRouter(), HttpLimits.defaults(), "test",
							new WebSocketUpgradeHandler(WebSocketLimits.defaults()).route("/blocking",
									new OffloadingWebSocketHandler(this.blocking, this.executor, 8))))));

	@AfterEach
	void stop() {
		this.release.countDown();
		this.server.stop(Duration.ZERO);
		this.executor.shutdownNow();
	}

	@Test
	void aBlockedSessionDoesNotStallAnotherAndMessagesKeepTheirOrder() throws Exception {
		this.server.start();
		Messages first = new Messages();
		Messages second = new Messages();
		WebSocket one = connect(first);
		WebSocket two = connect(second); // same single I/O thread as the first
		one.sendText("block", true).join();
		one.sendText("after", true).join();
		two.sendText("hello", true).join();
		assertThat(second.next()).isEqualTo("hello on executor");
		assertThat(first.messages).isEmpty();
		this.release.countDown();
		assertThat(first.next()).isEqualTo("block on executor");
		assertThat(first.next()).isEqualTo("after on executor");
	}

	private WebSocket connect(Messages listener) {
		return HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + this.server.port("http") + "/blocking"), listener)
			.join();
	}

	static final class Messages implements WebSocket.Listener {

		final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

		String next() throws InterruptedException {
			String message = this.messages.poll(10, TimeUnit.SECONDS);
			assertThat(message).as("a message within 10 s").isNotNull();
			return message;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.messages.add(data.toString());
			webSocket.request(1);
			return null;
		}

	}

}
