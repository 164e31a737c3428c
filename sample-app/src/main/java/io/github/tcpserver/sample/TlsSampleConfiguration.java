package io.github.tcpserver.sample;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.protocol.echo.EchoHandler;

/**
 * The sample's TLS listeners, all on the SSL bundle {@code sample} (a development certificate for
 * localhost, see {@code application.yml}): echo on 9443, the chat room over lines on 9445, and an
 * echo that requires a client certificate of the sample CA on 9446. HTTPS (9444) is in
 * {@link io.github.tcpserver.sample.http.HttpSampleConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class TlsSampleConfiguration {

	@Bean
	@SocketHandler(port = "${sample.tls.echo-port:9443}", sslBundle = "sample")
	EchoHandler echoTls() {
		return new EchoHandler();
	}

	@Bean
	@SocketHandler(port = "${sample.tls.chat-port:9445}", sslBundle = "sample")
	FramingHandler<String> chatTls(ChatRoom chatRoom, ChatProperties properties) {
		return new FramingHandler<>(new LineCodec(properties.getMaxLineLength()), new ChatProtocol(chatRoom));
	}

	@Bean
	@SocketHandler(port = "${sample.tls.mutual-port:9446}", sslBundle = "sample", sslClientAuth = "need")
	EchoHandler echoMutualTls() {
		return new EchoHandler();
	}

}
