package io.github.tcpserver.protocol.chat;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.protocol.FramingHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target of the chat protocol over its line codec, driven as the I/O loop
 * drives it (open, reads, close) on in-memory connections. A plain test run replays the
 * regression corpus in {@code ChatProtocolFuzzTestsInputs/}. Properties: no input makes a handler
 * throw; what the fuzzed client sends is read in two reads split anywhere; every output line is
 * one line of valid text; after both connections close the room is empty (no member leaks).
 */
@Tag("fuzz")
class ChatProtocolFuzzTests {

	@FuzzTest(maxDuration = "30s")
	void anyInputLeavesTheRoomConsistentAndEmptyAfterClose(byte[] input) {
		ChatRoom room = new LocalChatRoom();
		FramingHandler<String> handler = new FramingHandler<>(new LineCodec(128), new ChatProtocol(room));
		FakeConnection bystander = new FakeConnection(1);
		FakeConnection fuzzed = new FakeConnection(2);
		handler.onOpen(bystander.proxy);
		handler.onRead(bystander.proxy, bytes("NAME: bystander\n"));
		handler.onOpen(fuzzed.proxy);
		int split = input.length / 2;
		handler.onRead(fuzzed.proxy, ByteBuffer.wrap(input, 0, split));
		if (fuzzed.open) {
			handler.onRead(fuzzed.proxy, ByteBuffer.wrap(input, split, input.length - split));
		}
		assertThat(room.memberNames()).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(2).contains("bystander");
		handler.onInputClosed(fuzzed.proxy);
		handler.onClose(fuzzed.proxy);
		assertThat(room.memberNames()).containsExactly("bystander");
		handler.onClose(bystander.proxy);
		assertThat(room.memberNames()).isEmpty();
		for (FakeConnection connection : List.of(bystander, fuzzed)) {
			for (String line : connection.written()) {
				assertThat(line).doesNotContain("\r").doesNotContain("\u0000");
			}
		}
	}

	private static ByteBuffer bytes(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	/** A connection in memory: records what is written, and whether it was closed. */
	private static final class FakeConnection {

		final Connection proxy;

		final StringBuilder output = new StringBuilder();

		Object attachment;

		boolean open = true;

		FakeConnection(long id) {
			InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000 + (int) id);
			InvocationHandler behaviour = (self, method, args) -> switch (method.getName()) {
				case "id" -> id;
				case "listenerName" -> "lines";
				case "remoteAddress" -> remote;
				case "localAddress" -> new InetSocketAddress("127.0.0.1", 9001);
				case "write" -> {
					if (this.open) {
						ByteBuffer data = (args[0] instanceof byte[] array) ? ByteBuffer.wrap(array)
								: (args[0] instanceof String text) ? bytes(text) : ((ByteBuffer) args[0]).duplicate();
						byte[] copy = new byte[data.remaining()];
						data.get(copy);
						this.output.append(new String(copy, StandardCharsets.UTF_8));
					}
					yield null;
				}
				case "close", "closeAfterFlush" -> {
					this.open = false;
					yield null;
				}
				case "isOpen" -> this.open;
				case "isWritable" -> this.open;
				case "attachment" -> this.attachment;
				case "attach" -> {
					this.attachment = args[0];
					yield null;
				}
				case "execute" -> {
					((Runnable) args[0]).run();
					yield null;
				}
				case "openedAt", "lastActivity" -> Instant.EPOCH;
				case "toString" -> "fake connection " + id;
				case "hashCode" -> (int) id;
				case "equals" -> self == args[0];
				default -> defaultValue(method.getReturnType());
			};
			this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
					new Class<?>[] { Connection.class }, behaviour);
		}

		List<String> written() {
			List<String> lines = new ArrayList<>(List.of(this.output.toString().split("\n", -1)));
			lines.remove(lines.size() - 1);
			return lines;
		}

		private static Object defaultValue(Class<?> type) {
			if (type == boolean.class) {
				return false;
			}
			if (type == long.class) {
				return 0L;
			}
			if (type == int.class) {
				return 0;
			}
			if (type == Duration.class) {
				return Duration.ZERO;
			}
			return null;
		}

	}

}
