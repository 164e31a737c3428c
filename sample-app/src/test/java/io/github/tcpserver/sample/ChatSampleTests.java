package io.github.tcpserver.sample;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.protocol.chat.ChatMessageFilter;
import io.github.tcpserver.protocol.chat.ChatRoom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's chat wiring: both chat listeners share the {@link ChatRoom} bean, and an
 * application {@link ChatMessageFilter} bean is applied.
 */
@SpringBootTest(properties = { "tcp.server.port=0", "chat.port=0", "chat.framed-port=0", "http.port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0",
		"sample.tls.chat-port=0", "sample.tls.mutual-port=0" })
class ChatSampleTests {

	@Autowired
	SelectorServer server;

	@Autowired
	ChatRoom room;

	@Test
	void lineAndFrameClientsShareTheRoomBeanAndTheFilterApplies() throws Exception {
		try (Socket line = new Socket("127.0.0.1", this.server.port("chat"));
				Socket framed = new Socket("127.0.0.1", this.server.port("chatFramed"))) {
			line.setSoTimeout(10_000);
			framed.setSoTimeout(10_000);
			BufferedReader lineIn = new BufferedReader(new InputStreamReader(line.getInputStream(), StandardCharsets.UTF_8));
			PrintWriter lineOut = new PrintWriter(line.getOutputStream(), true, StandardCharsets.UTF_8);
			DataInputStream frameIn = new DataInputStream(framed.getInputStream());
			DataOutputStream frameOut = new DataOutputStream(framed.getOutputStream());
			assertThat(lineIn.readLine()).startsWith("* Welcome to the chat!");
			assertThat(readFrame(frameIn)).startsWith("* Welcome to the chat!");

			lineOut.println("NAME: alice");
			assertThat(lineIn.readLine()).startsWith("* Welcome, alice!");
			writeFrame(frameOut, "NAME: bob");
			assertThat(readFrame(frameIn)).startsWith("* Welcome, bob!");
			assertThat(lineIn.readLine()).isEqualTo("* bob joined the room");
			assertThat(this.room.memberNames()).containsExactly("alice", "bob");

			lineOut.println("hello bob");
			assertThat(readFrame(frameIn)).isEqualTo("alice: HELLO BOB");
			this.room.announce("from the application");
			assertThat(readFrame(frameIn)).isEqualTo("* from the application");
			assertThat(lineIn.readLine()).isEqualTo("* from the application");
		}
	}

	private static String readFrame(DataInputStream in) throws Exception {
		byte[] payload = new byte[in.readInt()];
		in.readFully(payload);
		return new String(payload, StandardCharsets.UTF_8);
	}

	private static void writeFrame(DataOutputStream out, String text) throws Exception {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		out.writeInt(payload.length);
		out.write(payload);
		out.flush();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ShoutingFilter {

		@Bean
		ChatMessageFilter shout() {
			return (sender, recipient, text) -> ChatMessageFilter.Result.accept(text.toUpperCase(Locale.ROOT));
		}

	}

}
