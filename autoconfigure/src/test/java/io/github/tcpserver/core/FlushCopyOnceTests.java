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
		// A small send buffer: loopback autotuning (tcp_wmem up to 4 MiB) plus a quick reader can
		// otherwise take the whole reply without one partial write.
		SelectorServer server = this.servers.start(ServerConfig.builder().ioThreads(1).sendBufferSize(16 * 1024).build(),
				new ConnectionHandler() {

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
	void aWriteLargerThanTheStagingBufferWhoseFirstChunkIsTakenInPartStillAsksForWritesForItsRest() throws Exception {
		// 64 KiB + 10 KiB: the first chunk is partly written and staged, the 10 KiB rest is queued
		// below the high-water mark. Without OP_WRITE asked for, the rest would wait for the
		// write-idle timeout.
		int total = 64 * 1024 + 10 * 1024;
		byte[] reply = TestSockets.randomBytes(total, 4);
		SelectorServer server = this.servers.start(ServerConfig.builder().ioThreads(1).sendBufferSize(8 * 1024)
			.build(), new ConnectionHandler() {

				@Override
				public void onRead(Connection connection, ByteBuffer data) {
					data.position(data.limit());
					connection.write(ByteBuffer.wrap(reply));
				}

			});
		try (Socket socket = TestSockets.connectWithSmallWindow(server.port("test"))) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write('G');
			TestSockets.await(Duration.ofSeconds(5), "the reply partly written, its rest queued",
					() -> !server.connections().isEmpty()
							&& server.connections().iterator().next().pendingOutboundBytes() > 0);
			assertThat(TestSockets.readFully(socket.getInputStream(), total)).isEqualTo(reply);
		}
	}

	@Test
	void manyStalledPeersBorrowAtMostTheLoopsBoundOfStagingBuffersAndStillGetEveryByte() throws Exception {
		int peers = StagingBuffers.MAX_LENT + 16;
		int total = 2 * 1024 * 1024;
		byte[] reply = TestSockets.randomBytes(total, 3);
		SelectorServer server = this.servers.start(ServerConfig.builder().ioThreads(1).sendBufferSize(16 * 1024)
			.build(), new ConnectionHandler() {

				@Override
				public void onRead(Connection connection, ByteBuffer data) {
					data.position(data.limit());
					connection.write(ByteBuffer.wrap(reply));
				}

			});
		java.util.List<Socket> sockets = new java.util.ArrayList<>();
		try {
			for (int i = 0; i < peers; i++) {
				Socket socket = TestSockets.connectWithSmallWindow(server.port("test"));
				sockets.add(socket);
				socket.getOutputStream().write('G');
			}
			TestSockets.await(Duration.ofSeconds(20), "every reply queued behind a full socket",
					() -> server.connections().size() == peers && server.connections().stream()
						.allMatch((connection) -> connection.pendingOutboundBytes() > 0));
			IoLoop loop = ((NioConnection) server.connections().iterator().next()).loop;
			// Read on the loop thread: the bound holds at every moment, not only now.
			java.util.concurrent.CompletableFuture<Integer> lent = new java.util.concurrent.CompletableFuture<>();
			loop.execute(() -> lent.complete(loop.staging().lent()));
			assertThat(lent.get(5, TimeUnit.SECONDS)).isPositive().isLessThanOrEqualTo(StagingBuffers.MAX_LENT);
			for (Socket socket : sockets) {
				assertThat(TestSockets.readFully(socket.getInputStream(), total)).isEqualTo(reply);
			}
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
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
