package io.github.tcpserver.sample;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.SelectorServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The download listener streams replies far larger than {@code tcp.server.max-queued-output} to
 * a client that reads slowly, every byte in order, with its queued output bounded.
 */
@SpringBootTest(properties = { "tcp.server.port=0", "chat.port=0", "chat.framed-port=0", "http.port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0", "sample.tls.chat-port=0",
		"sample.tls.mutual-port=0", "tcp.server.max-queued-output=1MB" })
@Timeout(120)
class DownloadStreamingTests {

	@Autowired
	SelectorServer server;

	@Test
	void aReplyFarLargerThanTheOutputLimitReachesASlowReaderWhole() throws Exception {
		int length = 24 * 1024 * 1024; // 24 times tcp.server.max-queued-output here
		long limit = 1024 * 1024;
		long mostQueued = 0;
		try (Socket socket = new Socket()) {
			// A small fixed receive window: loopback autotuning would otherwise swallow the reply.
			socket.setReceiveBufferSize(16 * 1024);
			socket.connect(new InetSocketAddress("127.0.0.1", this.server.port("download")), 5000);
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write((length + "\n").getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
			long offset = 0;
			while (offset < length) {
				int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - offset));
				assertThat(n).as("bytes before the end of the reply").isPositive();
				for (int i = 0; i < n; i++) {
					if (buffer[i] != (byte) ((offset + i) % 251)) {
						throw new AssertionError("Byte " + (offset + i) + " is wrong");
					}
				}
				offset += n;
				for (Connection connection : this.server.connections()) {
					mostQueued = Math.max(mostQueued, connection.pendingOutboundBytes());
				}
			}
			socket.getOutputStream().write("3\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(in.readNBytes(3)).as("the next request answered after the stream").containsExactly(0, 1, 2);
		}
		assertThat(mostQueued).as("queued output").isPositive().isLessThan(limit);
		assertThat(this.server.listener("download").orElseThrow().outputOverflows()).isZero();
	}

	@Test
	void aCountAboveTheLimitIsRefused() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.server.port("download"))) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(((DownloadHandler.MAX_BYTES + 1) + "\n").getBytes(StandardCharsets.US_ASCII));
			String reply = new String(socket.getInputStream().readNBytes(6), StandardCharsets.US_ASCII);
			assertThat(reply).isEqualTo("error:");
		}
	}

}
