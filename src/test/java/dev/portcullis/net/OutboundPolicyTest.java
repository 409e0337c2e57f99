package dev.portcullis.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which destinations the server may reach: HTTPS to public addresses, unless allow-listed. */
class OutboundPolicyTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.9.9.9",
                "10.1.2.3",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
                "224.0.0.1",
                "255.255.255.255",
                "192.0.2.10",
                "198.18.0.1",
                "::1",
                "fe80::1",
                "fd00::1",
                "fc00::5",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "ff02::1",
                "2001:db8::1",
                "::"
            })
    void nonPublicAddressesAreRefused(String address) throws Exception {
        assertThat(OutboundPolicy.isPublic(InetAddress.getByName(address))).isFalse();
        assertThat(OutboundPolicy.STRICT.permits("example.org", 443, InetAddress.getByName(address)))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.1.1.1",
                "8.8.8.8",
                "151.101.0.223",
                "172.32.0.1",
                "100.128.0.1",
                "2606:4700:4700::1111",
                "2a00:1450::1"
            })
    void publicAddressesArePermitted(String address) throws Exception {
        assertThat(OutboundPolicy.isPublic(InetAddress.getByName(address))).isTrue();
    }

    @Test
    void onlyHttpsUnlessTheHostIsAllowListed() throws Exception {
        OutboundPolicy.STRICT.check(URI.create("https://hooks.example.org/x"));
        assertThatThrownBy(() -> OutboundPolicy.STRICT.check(URI.create("http://hooks.example.org/x")))
                .hasMessageContaining("only https URLs are fetched");
        assertThatThrownBy(() -> OutboundPolicy.STRICT.check(URI.create("https://127.0.0.1/x")))
                .hasMessageContaining("not a public address");
        assertThatThrownBy(() -> OutboundPolicy.STRICT.check(URI.create("https://[::1]:8443/x")))
                .hasMessageContaining("not a public address");
        assertThatThrownBy(() -> OutboundPolicy.STRICT.check(URI.create("file:///etc/passwd")))
                .hasMessageContaining("no host");
        assertThatThrownBy(() -> OutboundPolicy.STRICT.check(URI.create("https://user:pw@hooks.example.org/")))
                .hasMessageContaining("credentials in the URL");

        OutboundPolicy listed = OutboundPolicy.allowing("hooks.internal", "127.0.0.1:8443", "10.20.0.0/16");
        listed.check(URI.create("http://hooks.internal/x"));
        listed.check(URI.create("http://127.0.0.1:8443/x"));
        listed.check(URI.create("http://10.20.3.4/x"));
        assertThatThrownBy(() -> listed.check(URI.create("http://127.0.0.1:8444/x")))
                .as("the port is part of the entry")
                .isInstanceOf(OutboundRefused.class);
        assertThat(listed.permits("hooks.internal", 80, InetAddress.getByName("10.9.9.9")))
                .isTrue();
        assertThat(listed.permits("other.example", 443, InetAddress.getByName("10.20.9.9")))
                .as("inside a listed block")
                .isTrue();
        assertThat(listed.permits("other.example", 443, InetAddress.getByName("10.21.0.1")))
                .isFalse();
    }

    @Test
    void badAllowListEntriesAreRefusedAtStart() {
        assertThatThrownBy(() -> OutboundPolicy.allowing("10.0.0.0/99")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutboundPolicy.allowing("intranet/8")).isInstanceOf(IllegalArgumentException.class);
    }
}
