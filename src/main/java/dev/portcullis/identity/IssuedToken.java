package dev.portcullis.identity;

/** A newly created token: {@code secret} is shown to its owner once and then forgotten. */
public record IssuedToken(String secret, TokenInfo info) {
    @Override
    public String toString() {
        return "IssuedToken[" + info.id() + "]";
    }
}
