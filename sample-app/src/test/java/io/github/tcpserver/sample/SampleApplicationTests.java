package io.github.tcpserver.sample;

import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.github.tcpserver.context.LocalTcpServerPort;
import io.github.tcpserver.core.SelectorServer;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(properties = { "tcp.server.port=0", "chat.port=0", "chat.framed-port=0", "http.port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0",
		"sample.tls.chat-port=0", "sample.tls.mutual-port=0" })
class SampleApplicationTests {

	@LocalTcpServerPort
	int port;

	@Autowired
	SelectorServer server;

	@Test
	void theEchoListenerAnswersOnTheInjectedPort() throws Exception {
		assertThat(this.port).isPositive().isEqualTo(this.server.port("echo"));
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(socket.getInputStream().readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("ping\n");
		}
	}

}
