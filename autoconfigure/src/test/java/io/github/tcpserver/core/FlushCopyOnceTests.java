package io.github.tcpserver.core;

import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flushing to a slow reader copies each queued byte into a staging buffer at most once, however
 * many partial writes it takes: a partly written staging buffer stays with its connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlushCopyOnceTests {

	private final TestServers servers = new TestServers();

	@AfterEach
	void stop() {
		this.servers.stopAll();
	}

	@Test
	void aReplyDrainedBySmallPartialWritesIsCopiedIntoStagingAtMostOnce() throws Exception {
		int total = 8 * 1024 * 1024;
		byte[] reply = TestSockets.randomBytes(total, 2);
		SelectorServer server = this.servers.start(ServerConfig.builder().ioThreads(1).build(), new ConnectionHandler() {

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				data.position(data.limit());
				for (int offset = 0; offset < total; offset += 100_000) {
					connection.write(ByteBuffer.wrap(reply, offset, Math.min(100_000, total - offset)));
				}
			}

		});
		try (Socket socket = TestSockets.connectWithSmallWindow(server.port("test"))) {
			socket.getOutputStream().write('G');
			InputStream in = socket.getInputStream();
			byte[] received = new byte[total];
			int offset = 0;
			while (offset < total) {
				// Small reads: the server's socket takes a few KiB per OP_WRITE, many partial writes.
				int n = in.read(received, offset, Math.min(4096, total - offset));
				assertThat(n).isPositive();
				offset += n;
			}
			assertThat(received).isEqualTo(reply);
			NioConnection connection = (NioConnection) server.connections().iterator().next();
			TestSockets.await(Duration.ofSeconds(5), "the queue drained", () -> connection.pendingOutboundBytes() == 0);
			assertThat(connection.stagingCopies()).as("bytes copied into staging").isPositive().isLessThanOrEqualTo(total);
		}
	}

	@Test
	void aStagedBufferIsSentBeforeTheRingAndCountedInTheQueuedBytes() {
		OutboundQueue queue = new OutboundQueue();
		queue.add(ByteBuffer.wrap(new byte[] { 1, 2, 3, 4 }));
		ByteBuffer staging = ByteBuffer.allocateDirect(8);
		assertThat(queue.copyInto(staging)).isEqualTo(4);
		staging.flip().position(1); // the socket took one byte
		queue.consumed(4);
		queue.stage(staging);
		assertThat(queue.bytes()).isEqualTo(3);
		assertThat(queue.isEmpty()).isFalse();
		queue.add(ByteBuffer.wrap(new byte[] { 5 }));
		assertThat(queue.size()).isEqualTo(2);
		assertThat(queue.bytes()).isEqualTo(4);
		staging.position(4);
		queue.stagedWritten(3);
		assertThat(queue.unstage()).isSameAs(staging);
		assertThat(queue.bytes()).isEqualTo(1);
		assertThat(queue.peek().get(0)).isEqualTo((byte) 5);
		assertThat(queue.copiedBytes()).isEqualTo(4);
	}

}
