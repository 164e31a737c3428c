package io.github.tcpserver.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.protocol.echo.EchoHandler;

/**
 * The sample application: an echo listener on {@code tcp.server.port} (9000), next to the other
 * sample protocols, each on its own port (the chat room: {@link ChatConfiguration}). Given a
 * {@code --chat.client.*} argument it runs the terminal {@link ChatClient} instead.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		if (ChatClient.isRequested(args)) {
			// Client mode: a terminal chat client, without Spring and without starting any server.
			System.exit(ChatClient.run(args));
		}
		SpringApplication.run(SampleApplication.class, args);
	}

	@Bean
	@SocketHandler
	EchoHandler echo() {
		return new EchoHandler();
	}

}
