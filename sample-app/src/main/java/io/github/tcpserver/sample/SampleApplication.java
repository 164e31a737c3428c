package io.github.tcpserver.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.protocol.echo.EchoHandler;

/**
 * The sample application: an echo listener on {@code tcp.server.port} (9000), next to the other
 * sample protocols, each on its own port.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	@Bean
	@SocketHandler
	EchoHandler echo() {
		return new EchoHandler();
	}

}
