/**
 * A chat room protocol over any text framing: {@link io.github.tcpserver.protocol.chat.ChatProtocol}
 * speaks it, a {@link io.github.tcpserver.protocol.chat.ChatRoom} holds the members and fans messages
 * out ({@link io.github.tcpserver.protocol.chat.LocalChatRoom} in this JVM; the Redis room in
 * {@code protocol.chat.redis}).
 */
package io.github.tcpserver.protocol.chat;
