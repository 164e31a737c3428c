package io.github.tcpserver.sample;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.codec.LengthPrefixedCodec;
import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.codec.Utf8Codec;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.protocol.chat.ChatMessageFilter;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.protocol.chat.LocalChatRoom;

/**
 * The chat room of the sample: one {@link ChatRoom} bean (in this JVM, or shared by every instance
 * through Redis with {@code chat.cluster=redis}), served over text lines on
 * {@code chat.port} (9001) and over length-prefixed frames on {@code chat.framed-port} (9002).
 * Declare a {@link ChatMessageFilter} bean to rewrite or reject messages.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChatProperties.class)
class ChatConfiguration {

	/**
	 * The room of this JVM; with {@code chat.cluster=redis} the library's auto-configuration
	 * provides the room shared through Redis instead.
	 */
	@Bean
	@ConditionalOnProperty(name = "chat.cluster", havingValue = "none", matchIfMissing = true)
	ChatRoom chatRoom(ChatProperties properties, ObjectProvider<ChatMessageFilter> filter) {
		return new LocalChatRoom(filter.getIfAvailable(() -> ChatMessageFilter.ACCEPT_ALL),
				properties.getMaxPendingOutput().toBytes());
	}

	@Bean
	@SocketHandler(port = "${chat.port:9001}")
	FramingHandler<String> chat(ChatRoom chatRoom, ChatProperties properties) {
		return new FramingHandler<>(new LineCodec(properties.getMaxLineLength()), new ChatProtocol(chatRoom));
	}

	@Bean
	@SocketHandler(port = "${chat.framed-port:9002}")
	FramingHandler<String> chatFramed(ChatRoom chatRoom, ChatProperties properties) {
		return new FramingHandler<>(
				new Utf8Codec(new LengthPrefixedCodec((int) properties.getMaxFrameSize().toBytes())),
				new ChatProtocol(chatRoom));
	}

}
