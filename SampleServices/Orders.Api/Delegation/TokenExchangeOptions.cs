namespace Reference.Orders.Api.Delegation;

/// <summary>How Orders.Api exchanges the token it received for an Inventory.Api token (section <c>TokenExchange</c>).</summary>
internal sealed class TokenExchangeOptions
{
    public const string SectionName = "TokenExchange";

    /// <summary>The IdP's token endpoint (<c>TokenExchange:TokenEndpoint</c>), resolved by service discovery.</summary>
    public Uri TokenEndpoint { get; set; } = new("http://identity/connect/token");

    /// <summary>Orders.Api's own client id at the IdP (<c>TokenExchange:ClientId</c>, e.g. <c>orders-service</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>Its secret (<c>TokenExchange:ClientSecret</c>), sent with client_secret_basic; never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The requested audience (<c>TokenExchange:Audience</c>); default <c>inventory-api</c>.</summary>
    public string Audience { get; set; } = "inventory-api";

    /// <summary>The requested scope (<c>TokenExchange:Scope</c>); default <c>inventory.read</c>.</summary>
    public string Scope { get; set; } = "inventory.read";

    /// <summary>Where Inventory.Api is (<c>TokenExchange:InventoryBaseAddress</c>), resolved by service discovery.</summary>
    public Uri InventoryBaseAddress { get; set; } = new("http://inventory");

    public bool IsConfigured => !string.IsNullOrEmpty(ClientId) && !string.IsNullOrEmpty(ClientSecret);
}
