/**
 * The sample's HTTP/1.1 listener: a router with a greeting, a JSON reply and an echo.
 */
package io.github.tcpserver.sample.http;
