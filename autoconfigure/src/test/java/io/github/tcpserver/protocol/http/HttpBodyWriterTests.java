package io.github.tcpserver.protocol.http;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.tcpserver.core.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link HttpBodyWriter} frames chunks (RFC 9112 §7.1), without sockets: what each
 * {@code Connection.write} carries. A write is a syscall on a plain connection and a TLS record on
 * an encrypted one, so a small chunk must be one write.
 */
class HttpBodyWriterTests {

	/** The writes a connection was given, each as the text it carried; always writable. */
	private final List<String> writes = new ArrayList<>();

	private final Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
			new Class<?>[] { Connection.class }, (proxy, method, args) -> {
				switch (method.getName()) {
					case "write" -> {
						ByteBuffer data = (args[0] instanceof ByteBuffer buffer) ? buffer : ByteBuffer.wrap((byte[]) args[0]);
						byte[] bytes = new byte[data.remaining()];
						data.get(bytes);
						this.writes.add(new String(bytes, StandardCharsets.ISO_8859_1));
						return null;
					}
					case "isWritable", "isOpen" -> {
						return true;
					}
					case "execute" -> {
						return null; // the next turn: the test calls send again
					}
					case "toString" -> {
						return "test connection";
					}
					default -> throw new UnsupportedOperationException(method.getName());
				}
			});

	private void sendAll(HttpBodyWriter writer) {
		for (int turn = 0; turn < 1000; turn++) {
			if (writer.send(this.connection)) {
				return;
			}
		}
		throw new AssertionError("the body was not sent in 1000 turns");
	}

	@Test
	void aSmallChunkGoesOutAsOneWriteOfSizeLineDataAndCrlf() {
		HttpResponse response = HttpResponse.chunked("text/plain",
				Collections.nCopies(300, "x".repeat(100).getBytes(StandardCharsets.US_ASCII)));
		sendAll(HttpBodyWriter.of(response, true, Runnable::run, null, this.connection, () -> {
		}));
		assertThat(this.writes).hasSize(301); // 300 chunks and the last chunk
		assertThat(this.writes.subList(0, 300)).allMatch(("64\r\n" + "x".repeat(100) + "\r\n")::equals);
		assertThat(this.writes.get(300)).isEqualTo("0\r\n\r\n");
	}

	@Test
	void aLargeChunkIsFramedAroundItsDataWithoutCopyingIt() {
		int size = HttpBodyWriter.COALESCED_CHUNK + 1;
		HttpResponse response = HttpResponse.chunked("text/plain", List.of(new byte[size]));
		sendAll(HttpBodyWriter.of(response, true, Runnable::run, null, this.connection, () -> {
		}));
		assertThat(this.writes).hasSize(4);
		assertThat(this.writes.get(0)).isEqualTo(Integer.toHexString(size) + "\r\n");
		assertThat(this.writes.get(1)).hasSize(size);
		assertThat(this.writes.get(2)).isEqualTo("\r\n");
		assertThat(this.writes.get(3)).isEqualTo("0\r\n\r\n");
	}

}
