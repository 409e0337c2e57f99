// Portcullis approver page: the only script. It asks the browser's WebAuthn API for a passkey or
// security key where a form carries data-webauthn, puts the key's answer into the form's hidden
// fields, and sends the form. Every value it uses comes from the form's data-* attributes.
"use strict";
(function () {
  function encode(buffer) {
    let text = "";
    new Uint8Array(buffer).forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decode(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
  }
  function credentials(list) {
    return (list || "").split(",").filter(Boolean).map(function (id) {
      return { type: "public-key", id: decode(id) };
    });
  }
  function set(form, name, value) {
    form.querySelector("input[name='" + name + "']").value = value;
  }
  async function ask(form) {
    const data = form.dataset;
    if (data.webauthn === "register") {
      const created = await navigator.credentials.create({ publicKey: {
        challenge: decode(data.challenge),
        rp: { id: data.rpId, name: "Portcullis" },
        user: { id: decode(data.userId), name: data.userName, displayName: data.userName },
        pubKeyCredParams: [{ type: "public-key", alg: -7 }, { type: "public-key", alg: -8 },
                           { type: "public-key", alg: -257 }],
        excludeCredentials: credentials(data.exclude),
        authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
        attestation: "none",
        timeout: 120000
      } });
      set(form, "key-attestation", encode(created.response.attestationObject));
      set(form, "key-client-data", encode(created.response.clientDataJSON));
    } else {
      const asserted = await navigator.credentials.get({ publicKey: {
        challenge: decode(data.challenge),
        rpId: data.rpId,
        allowCredentials: credentials(data.credentials),
        userVerification: "preferred",
        timeout: 120000
      } });
      set(form, "key-credential", encode(asserted.rawId));
      set(form, "key-client-data", encode(asserted.response.clientDataJSON));
      set(form, "key-authenticator-data", encode(asserted.response.authenticatorData));
      set(form, "key-signature", encode(asserted.response.signature));
    }
  }
  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      const code = form.querySelector("input[name='otp']");
      if (form.dataset.webauthn === "assert" && code && code.value.trim() !== "") {
        return; // a one-time code was typed: send it as it is
      }
      if (!window.PublicKeyCredential) {
        return;
      }
      event.preventDefault();
      const status = form.querySelector("[data-webauthn-status]");
      status.textContent = "Waiting for your key…";
      ask(form).then(function () {
        status.textContent = "Sending…";
        HTMLFormElement.prototype.submit.call(form);
      }, function (error) {
        status.textContent = "Your key did not answer (" + error.name + "). Try again"
          + (form.dataset.webauthn === "assert" ? ", or type a one-time code." : ".");
      });
    });
  });
})();
