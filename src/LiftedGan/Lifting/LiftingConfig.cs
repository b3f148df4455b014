using System.Text.Json;
using System.Text.Json.Serialization;

namespace LiftedGan.Lifting;

/// <summary>What a lift's networks are trained on (<see cref="LiftingConfig.Objective"/>); stored by name in the config JSON.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LiftingObjective>))]
public enum LiftingObjective
{
    /// <summary>LiftedGAN's own losses (the paper; no 3D supervision).</summary>
    [JsonStringEnumMemberName("unsupervised")] Unsupervised,
    /// <summary>The same networks fitted to the exact truth of a world-fit teacher's samples (<see cref="TruthSupervision"/>).</summary>
    [JsonStringEnumMemberName("supervised-truth")] SupervisedTruth,
}

/// <summary>Names of <see cref="LiftingObjective"/> as the config JSON spells them.</summary>
public static class LiftingObjectives
{
    /// <summary>Every objective with its name.</summary>
    public static IReadOnlyList<(string Name, LiftingObjective Objective)> All { get; } =
        [("unsupervised", LiftingObjective.Unsupervised), ("supervised-truth", LiftingObjective.SupervisedTruth)];

    /// <summary>The objective's name (<c>unsupervised</c>, <c>supervised-truth</c>).</summary>
    public static string Name(this LiftingObjective objective) => All.First(o => o.Objective == objective).Name;

    /// <summary>The objective called <paramref name="name"/>, or null.</summary>
    public static LiftingObjective? FromName(string name) => All.Where(o => o.Name == name).Select(o => (LiftingObjective?)o.Objective).FirstOrDefault();
}

/// <summary>
/// Everything that defines a lift: sizes, geometry, loss weights and schedule. The presets equal the official configs
/// (`ffhq_256`, `cats_256`, spec section 6) or are this project's embedded default (`synth_64`). Loss weights keep the
/// official meaning (spec 7.1): e.g. the flip terms sit inside the reconstruction loss, so their effective weight is
/// <see cref="ReconstructionWeight"/> × <see cref="FlipWeight"/>. A weight of 0 switches a term off (ablations).
/// </summary>
public sealed record LiftingConfig
{
    public string Preset { get; init; } = "ffhq_256";
    public int ImageSize { get; init; } = 256;
    public int StyleDim { get; init; } = 512;
    /// <summary>Hidden width of the decomposer/composer MLPs (official 512).</summary>
    public int MlpHidden { get; init; } = 512;
    /// <summary>Seed width of the depth decoder MLP (official 512 = style size).</summary>
    public int DepthSeedDim { get; init; } = 512;
    /// <summary>Channels at the decoders' final resolution (official 16; first stage has this × 2^stages).</summary>
    public int DecoderBaseChannels { get; init; } = 16;

    public double Truncation { get; init; } = 0.7;
    /// <summary>
    /// Depth range of the canonical depth, MinDepth + (MaxDepth − MinDepth)·(tanh + 1)/2 (official [0.9, 1.1]; settings
    /// min_depth, max_depth). At the 10° field of view the image spans about 0.175 units at depth 1, so a face is
    /// about 0.1 wide and a relief range of ±0.1 is twice its width; [0.95, 1.05] (±½ a face width) is the range of a
    /// real head. Measured on the world-fit teacher (a lift with the light and latent composer switches, resumed at step 1,500): the
    /// narrower range halved the predicted relief at once (std 0.041 → 0.025, truth 0.023) and the composer's turn fell
    /// from 1.35× to 0.95× the yaw asked; SIDE 0.0186 → 0.0109 within 1,000 steps.
    /// </summary>
    public double MinDepth { get; init; } = 0.9;
    /// <summary>Upper end of the canonical depth range (<see cref="MinDepth"/>).</summary>
    public double MaxDepth { get; init; } = 1.1;
    public double BorderDepth { get; init; } = 1.05;
    public double FieldOfView { get; init; } = 10;
    public double RotationCenterDepth { get; init; } = 1.0;
    public int BlurSize { get; init; } = 10;
    public double BlurSigma { get; init; } = 4;
    public bool ClampBorder { get; init; } = true;
    public bool ClipRenderGradient { get; init; } = true;
    /// <summary>Perturbation ranges (degrees): pitch ±, yaw ±.</summary>
    public double PerturbPitch { get; init; } = 15;
    public double PerturbYaw { get; init; } = 45;
    /// <summary>
    /// Roll range (degrees, ±) of the perturbation; official 0 (perturbed faces are never rolled, so the parameter
    /// cycle only ever asks the view head for roll 0). Above 0 a roll is drawn uniformly and the random stream gains
    /// one draw per step (at 0 it is the official stream).
    /// </summary>
    public double PerturbRoll { get; init; }
    /// <summary>
    /// x translation (world units) the perturbation adds per sin(yaw): official 0.02, which keeps a face 0.02 in front
    /// of the rotation centre where it was, as FFHQ's alignment keeps faces centred whatever their yaw. A teacher whose
    /// faces move across the image as they turn (the procedural world: no re-centring) needs 0.
    /// </summary>
    public double PerturbShift { get; init; } = 0.02;
    /// <summary>Identity loss only for perturbed samples with |yaw| strictly below this.</summary>
    public double IdentityMaxYaw { get; init; } = 25;

    public double ReconstructionWeight { get; init; } = 5.0;
    public double PerceptualWeight { get; init; } = 1.0;
    public double FlipWeight { get; init; } = 0.8;
    public double PerturbImageWeight { get; init; } = 2.0;
    public double PerturbParameterWeight { get; init; } = 4.0;
    public double IdentityWeight { get; init; } = 1.0;
    public double StylePriorWeight { get; init; } = 0.5;
    public double AlbedoRankWeight { get; init; } = 1e-2;
    /// <summary>
    /// Weight of <see cref="LiftingLosses.DepthSmoothness"/>; not in the paper or the official code (0 in the official
    /// presets). The short <c>synth_64</c> schedule uses it: without it the randomly initialised depth stays
    /// high-frequency noise for hundreds of steps and the perturbed renders it feeds teach the composer noise.
    /// </summary>
    public double DepthSmoothnessWeight { get; init; }
    /// <summary>
    /// Steps of <see cref="ComposerWarmup"/> before a fresh run (0: none, as the official code and presets). Not in the
    /// paper or the official code; <c>synth_64</c> uses it.
    /// </summary>
    public int ComposerWarmupSteps { get; init; }
    /// <summary>
    /// Whether the warm start's perturbed half also fits M(w, L, V) to w for sampled views V (true: M starts by ignoring
    /// the view as well as the light); false fits that half at V = 0, so M starts without having learnt to ignore views.
    /// </summary>
    public bool ComposerWarmupViews { get; init; } = true;
    public int RankDownsample { get; init; } = 4;
    /// <summary>
    /// The depth decoder reads the source style w instead of the composer's neutral style (official). Not in the paper
    /// or the official code: the neutral style of a short run keeps little of w's identity (measured on the world-fit
    /// teacher: a linear read-out of the true between-face depth differences reaches r 0.75 from w, 0.03–0.28 from the
    /// neutral style), so the decoder cannot give faces their own depth. The symmetry (flip) term keeps it canonical.
    /// </summary>
    public bool DepthFromSourceStyle { get; init; }
    /// <summary>
    /// The composer adds its output to the source style (w' = w + M(...)) instead of replacing it (official), so the
    /// neutral style keeps w's identity by construction. Not in the paper or the official code.
    /// </summary>
    public bool ResidualComposer { get; init; }
    /// <summary>
    /// The composer's output is a latent z′ that the teacher's frozen mapping network turns into the style,
    /// w′ = map(M(w, L, V)), instead of a style w′ = M(w, L, V) (official). Not in the paper or the official code.
    /// A style that no latent maps to can be one the teacher renders as a blur (the world-fit teacher was fitted only
    /// on mapped latents); through the mapping every composed style is one the teacher was trained on, so the
    /// canonical and perturbed images stay sharp faces. Needs truncation 1 (a mapped latent is untruncated).
    /// </summary>
    public bool ComposerInLatent { get; init; }

    /// <summary>
    /// The composer is <see cref="LatentEdit"/> (checkpoint key netLE), a linear edit of the teacher's latent space
    /// regressed on the lift's own pose and light readings, instead of the learnt MLP netSC (official), which stays in
    /// the checkpoint unused. Not in the paper or the official code: the learnt composer's canonical image is a blurred
    /// average of the face (docs/lifting.md); the edit keeps each face's own look. Needs truncation 1 and neither
    /// <see cref="ComposerInLatent"/> nor <see cref="ResidualComposer"/>.
    /// </summary>
    public bool ComposerEdit { get; init; }
    /// <summary>Steps between re-fits of <see cref="LatentEdit"/> to the lift's current readings (<see cref="ComposerEdit"/>).</summary>
    public int ComposerEditEvery { get; init; } = 500;
    /// <summary>
    /// The latent edit also sets the view's translation in the image plane (tx, ty: seven readings, checkpoint key netLET
    /// instead of netLE), so canonical faces are centred instead of keeping their source's shift. Not in the paper or the
    /// official code: the five-reading edit leaves each canonical face where its source lay (±3.7 px at 64 px in the
    /// procedural world), and the depth decoder must follow that shift (docs/lifting.md, tenth attempt). Needs
    /// <see cref="ComposerEdit"/>.
    /// </summary>
    public bool ComposerEditTranslation { get; init; }

    /// <summary>Why this config's switches cannot run together (the composer's parametrisation, the view-equivariance term), or null.</summary>
    public string? SettingsProblem()
    {
        if (ComposerInLatent && (Truncation != 1 || ResidualComposer))
            return $"composer_latent: the composer in latent space needs truncation 1 (got {Truncation}) and no residual composer: a mapped latent is an untruncated style";
        if (ComposerEdit && (Truncation != 1 || ResidualComposer || ComposerInLatent))
            return $"composer_edit: the latent edit needs truncation 1 (got {Truncation}) and neither composer_latent nor composer_residual: it edits untruncated latents";
        if (ComposerEdit && ComposerEditEvery < 1) return "composer_edit_every: must be at least 1";
        if (ComposerEditTranslation && !ComposerEdit) return "composer_edit_translation: sets the latent edit's translation and needs composer_edit=1";
        if (ViewEquivarianceWeight > 0 && !(ViewFromImage && (ViewInputDisc || ViewRollEncoder)))
            return "lam_view_equivariance: the view-equivariance term trains the image view encoders and needs view_from_image=1 and view_input_disc=1 or view_roll_encoder=1 (without the disc the turned images' corners tell the angle)";
        if (ViewRollEncoder && !ViewFromImage) return "view_roll_encoder: the roll's own image encoder needs view_from_image=1";
        if (ViewEquivarianceRoll is < 0 or > 45) return $"view_equivariance_roll: {ViewEquivarianceRoll}° must lie in [0, 45]";
        if (ViewRenderCycleWeight > 0 && !ViewFromImage) return "lam_view_render_cycle: the render cycle trains the image view encoder and needs view_from_image=1";
        if (ViewRenderCycleRepeat is < 1 or > 64) return $"view_render_cycle_repeat: {ViewRenderCycleRepeat} must lie in [1, 64]";
        if (ViewRenderCycleOnly && ViewRenderCycleWeight <= 0) return "view_render_cycle_only: the view encoders would learn from nothing; set lam_view_render_cycle > 0";
        if (ViewRenderCyclePitch is < 0 or > 60 || ViewRenderCycleRoll is < 0 or > 60)
            return $"view_render_cycle_pitch / view_render_cycle_roll: {ViewRenderCyclePitch}° / {ViewRenderCycleRoll}° must lie in [0, 60]";
        return null;
    }
    /// <summary>
    /// Whether the perturbation branch also trains the decomposer (official: yes). Off, the decomposer learns only from
    /// reconstruction, i.e. to read the poses of the teacher's own images, and the parameter cycle D(M(w, L', V')) = V'
    /// can then be met only by a composer whose styles actually show view V'. Not in the paper or the official code:
    /// the official decomposer can instead learn to read the composer's code for V' whether or not the face turned
    /// (measured: the shipped lift's composer turns faces by 0.31× the yaw asked).
    /// </summary>
    public bool PerturbTrainsDecomposer { get; init; } = true;
    /// <summary>
    /// The transformation map is sigmoid(netT + this): official 5, so that off-face pixels start turning with the face
    /// (T ≈ 1) and the sigmoid's slope there is 0.007. A world whose background stays still (T = 0 off the head) needs
    /// the map to fall to 0; at 0 it starts at T = 0.5 with the sigmoid's full slope.
    /// Measured on the world-fit teacher (a lift with the narrower depth range and view_from_image at step 2,400): with the
    /// lift's own map (mean 0.65 against the truth's 0.44, so much of the still background turns with the face) the
    /// reconstruction L1 of its renders is lowest at its own half-size angles (0.101) and highest at the true ones
    /// (0.114); with the true map the four choices score 0.1045–0.1064, so the map biases the angles towards zero.
    /// </summary>
    public double TransformationBias { get; init; } = 5;
    /// <summary>
    /// Smallest diffuse strength the light head can give: its diffuse output t ∈ (−1, 1) becomes
    /// t + m·(1 − t), so b = L1/2 + 0.5 spans [m, 1] instead of [0, 1] (official: m = 0). Not in the paper or the
    /// official code. Measured on the world-fit teacher: from the first steps the reconstruction drives every sample's
    /// light to ambient 1, diffuse 0 (raw [1, −1, 1, 1], saturated by step 250 in every run), because re-lighting a
    /// canonical image through the still-wrong normals of an early depth only adds error; the tanh then has no gradient
    /// left, so the lift never uses shading (the world's own diffuse is 0.45–0.8), the permuted lights of the
    /// perturbation change nothing, and the composer never learns to re-light.
    /// </summary>
    public double MinDiffuse { get; init; }
    /// <summary>
    /// Steps at the start of a run during which the light is held neutral (raw 0: ambient ½, diffuse ½, frontal
    /// direction, which leaves the canonical image's shading as it is) and the light head is not trained (official: 0,
    /// not in the paper or the official code). Measured on the world-fit teacher: from the first steps, while the
    /// canonical image still carries the teacher's own light and the depth has no shape yet, the reconstruction drives
    /// the light to ambient 1, diffuse 0 and saturates its tanh, after which it never learns; held, the light starts
    /// learning once the canonical image is frontal and the depth smooth.
    /// </summary>
    public int LightWarmupSteps { get; init; }
    /// <summary>
    /// Until this global step the view network (the image view encoder with <see cref="ViewFromImage"/>, else the
    /// decomposer's view head) is not updated (official: 0, not in the paper or the official code). For a composer
    /// re-started on a trained lift (<see cref="ResidualComposer"/> switched on at resume): its first composed styles
    /// are the source faces themselves, pose included, and without the hold the reconstruction and the parameter cycle
    /// teach the view network to read those as frontal within 250 steps (measured: yaw error 7.3° → 24.3°, the constant
    /// answer's); held, a trained view network is the reference the composer learns to turn and frontalise against.
    /// </summary>
    public int ViewHoldUntilStep { get; init; }
    /// <summary>
    /// Steps of <see cref="ResidualComposerWarmup"/> when a trained lift is resumed with <see cref="ResidualComposer"/>
    /// switched on (0: none; not in the paper or the official code): the re-started composer first learns to turn and
    /// frontalise faces against the lift's own frozen light and view networks.
    /// </summary>
    public int ResidualWarmupSteps { get; init; }
    /// <summary>
    /// The residual warm start fits the composer to a linear edit of the teacher's style space instead of the parameter
    /// cycle (<see cref="ResidualComposerWarmup.LinearEdit"/>: styles regressed on the lift's own pose and light
    /// readings, the edit from a face's reading to the asked light and view). Not in the paper or the official code.
    /// Measured: the cycle warm start frontalised yaw but not pitch (sixth attempt), and with the pitch and roll squares
    /// weighted 9× it frontalised pitch but not yaw and left a composer that turns faces by 0.02× the asked yaw; the
    /// linear edit turns faces by the asked angle and keeps their identity (docs/lifting.md, seventh attempt).
    /// </summary>
    public bool ResidualWarmupLinear { get; init; }
    /// <summary>
    /// The view is read from the teacher's image by <see cref="ImageViewEncoder"/> (checkpoint key netVI) instead of
    /// from the style by netSD's view head (official; the light stays netSD's). Not in the paper or the official code.
    /// Measured on the world-fit teacher (a lift with the light and latent composer switches, step 1,500): netSD read composed styles
    /// M(w, L, ±30°), whose faces turn by 1.03× the yaw asked, as ±24–26°, but the teacher's own styles as 0.49× their
    /// true yaw: it tells composed styles from sampled ones, so the parameter cycle never reaches the views of the
    /// teacher's own images and the reconstruction keeps its half-angle, double-depth optimum. An image shows only the
    /// face, so the cycle on composed images (view of G(M(w, L′, V′)) = V′) teaches the encoder the composer's angles
    /// for every image. A fresh encoder (new run, or a checkpoint without netVI) first fits those cycle targets for
    /// <see cref="ViewWarmupSteps"/> steps.
    /// </summary>
    public bool ViewFromImage { get; init; }
    /// <summary>
    /// Steps of the view encoder's warm start (<see cref="ViewFromImage"/>): Adam fits the encoder's view of
    /// G(M(w, L′, V′)) to the sampled perturbation V′ (rotations), composer fixed.
    /// </summary>
    public int ViewWarmupSteps { get; init; } = 300;
    /// <summary>
    /// Weight of the view-equivariance term (official: 0, not in the paper or the official code; needs
    /// <see cref="ViewFromImage"/>, and <see cref="ViewInputDisc"/> or <see cref="ViewRollEncoder"/>): the image view
    /// encoders must read a teacher image turned in the image plane by δ as the view rolled by δ, and its mirror image as
    /// the mirrored view. For random δ1,
    /// δ2 within ±<see cref="ViewEquivarianceRoll"/>°, with a = the image turned by δ1: weight × the mean of the squared
    /// raw-view differences E(turned by δ2) − roll(E(a), δ2 − δ1) and E(mirror of a) − mirror(E(a))
    /// (<see cref="Rendering.ImageRoll"/>, <see cref="Perturbation.MirrorView"/>; every entry weighs 1, whatever
    /// <see cref="CyclePitchWeight"/> and <see cref="CycleRollWeight"/> are). Turning the camera about its axis turns the
    /// image exactly, so the term asks for a roll reading of gain 1 and for the zero of yaw and roll at the mirror image
    /// without any truth; nothing in the official objective does. Measured (docs/lifting.md, ninth attempt): at weight
    /// 100 the encoder's roll reading followed turned images at a gain of 0.84–0.90 (0.30 before), but the faces' own
    /// roll only at 0.35–0.38 (0.18 before): a turned image turns neck, hair and background with the face, a natural
    /// roll only the head, and the term can be met from either.
    /// </summary>
    public double ViewEquivarianceWeight { get; init; }
    /// <summary>
    /// The view's roll is read by its own image encoder (checkpoint key netVR; needs <see cref="ViewFromImage"/>;
    /// official: no encoder), the rest of the view by the view encoder netVI. It always sees its input through the disc
    /// (<see cref="ViewInputDisc"/> applies to netVI only), so it can serve the view-equivariance term. Resumed from a
    /// lift without it, netVR starts as a copy of netVI (its roll then differs only by the disc). With
    /// <see cref="ViewHoldUntilStep"/> only netVI is held, so a trained lift's pitch and yaw stay as they are while its
    /// roll learns (letting netVI train again cost 1–2° of yaw within 500 steps in every run). Measured from the shipped
    /// lift with the equivariance term (docs/lifting.md, ninth attempt): angles kept, roll error 4.81° at step 8,000
    /// against 4.62°, no gain: the canonical faces keep their roll.
    /// </summary>
    public bool ViewRollEncoder { get; init; }
    /// <summary>
    /// Weight of the render cycle of the view (official: 0, not in the paper or the official code; needs
    /// <see cref="ViewFromImage"/>): the lift's own canonical depth, albedo, light and transformation map (detached) are
    /// rendered at a random view (pitch within ±<see cref="ViewRenderCyclePitch"/>°, yaw within ±<see cref="PerturbYaw"/>°,
    /// roll within ±<see cref="ViewRenderCycleRoll"/>°, the estimated translation kept), and the image view encoders must
    /// read that view back: weight × the mean squared raw rotation error. Only the encoders learn from it. A render shows
    /// the lift's geometry at exactly the asked view, so the term makes the encoder the inverse of the lift's own
    /// renderer; the reconstruction alone lets it read the teacher's faces at a fraction of their angle (measured on the
    /// step-8,000 lift: its own renders at random views read at gains 0.69 / 0.81 / 0.25 in pitch, yaw, roll). Measured
    /// from that lift (docs/lifting.md, eleventh attempt): as the encoder's only teacher it raised the yaw gain on the
    /// teacher's faces to 0.89 (yaw error 6.2° → 5.4° in 1,000 steps) while pitch, SIDE, MAD and distinctiveness got
    /// worse; not in the shipped lift.
    /// </summary>
    public double ViewRenderCycleWeight { get; init; }
    /// <summary>
    /// With <see cref="ViewRenderCycleWeight"/>, the image view encoders learn from the render cycle alone: every other
    /// term's gradient to them is dropped (official: no encoder). Needs <see cref="ViewHoldUntilStep"/> passed, or the
    /// encoders do not learn at all.
    /// </summary>
    public bool ViewRenderCycleOnly { get; init; }
    /// <summary>
    /// How many views of each face the render cycle renders per step (default 1): renders are cheap beside the step's
    /// teacher passes, and the encoder needs many views to learn from (measured: a fresh encoder fitted to exact angles
    /// needed ~25,000 images to reach 3.4° of yaw).
    /// </summary>
    public int ViewRenderCycleRepeat { get; init; } = 1;
    /// <summary>Largest pitch of the render cycle's views, degrees (default 25).</summary>
    public double ViewRenderCyclePitch { get; init; } = 25;
    /// <summary>Largest roll of the render cycle's views, degrees (default 10).</summary>
    public double ViewRenderCycleRoll { get; init; } = 10;
    /// <summary>Largest in-plane turn of the view-equivariance term, degrees (default 15).</summary>
    public double ViewEquivarianceRoll { get; init; } = 15;
    /// <summary>
    /// The image view encoder sees its input through the image's inscribed disc (<see cref="Rendering.ImageRoll.Disc"/>;
    /// official: no encoder). An image turned about its centre brings border pixels into its corners whose shape tells
    /// the angle; inside the disc a turned image shows only turned content, so the view-equivariance term cannot be met
    /// from the corners (it can still be met from neck, hair and background, which a turned image turns with the face).
    /// </summary>
    public bool ViewInputDisc { get; init; }
    /// <summary>
    /// Weight of the canonical-symmetry term (official: 0, not in the paper or the official code): weight ×
    /// mean |C − flip(C)| over the canonical image C = G(M(w, L0, 0)), L1 in [−1, 1] units. The flip term asks only
    /// that the de-lit albedo rendered mirrored reproduce the teacher's image; measured on the world-fit teacher, the
    /// canonical image keeps the teacher's light (its left-right brightness difference follows the true light's x at
    /// r 0.6–0.7), so shading from the predicted light only adds error and the light head switches the diffuse term
    /// off. Asking for a symmetric canonical image directly leaves directional shading for the light to explain.
    /// </summary>
    public double CanonicalSymmetryWeight { get; init; }
    /// <summary>
    /// Weight of the style self-cycle (official: 0, not in the paper or the official code): the composer given a
    /// teacher style w with the decomposer's own light and view of it must give w back, weight ×
    /// mean((M(w, D_L(w), D_V(w)) − w)²) × the style prior's normaliser, with D's outputs detached (so the decomposer
    /// learns views only from the images, and cannot hand the composer a code instead of a view). With the canonical
    /// M(w, L0, 0) this gives the composer two anchors per face: at the face's own view it must reproduce the teacher's
    /// (sharp, posed) style, at view 0 the frontal one. Measured before it: the composer's perturbed styles are blurred
    /// faces that turn by 0.31× the yaw asked, while the same composer trained against exact turned renders of the world
    /// turned faces fully within 100 steps, so the perturbation branch lacked targets the teacher can make.
    /// </summary>
    public double StyleCycleWeight { get; init; }
    /// <summary>
    /// Weight of the style proximity term (official: 0, not in the paper or the official code): every composed style (the
    /// canonical M(w, L0, 0) and the perturbed M(w, L′, V′)) stays near its source w, weight × mean((w′ − w)²) × the style
    /// prior's normaliser, averaged over the two. The official style prior pulls w′ towards the mean style instead, and
    /// nothing else ties the composed face's identity to the source: measured on the world-fit teacher's lift (exact
    /// truth of the latent composer's output), the canonical face kept the source's identity parameters at r 0.13 and
    /// its canonical depth deviation at r 0.39, so the lift's albedo and depth came from another face. At weight 0.1
    /// (from the step-4,000 lift, beside a control) it took the pitch offset from −6° to −2° and the yaw error down by
    /// about 1°, but the composer then turns faces by 0.75–0.9× the asked yaw and faces still share one depth
    /// (docs/lifting.md, fifth attempt).
    /// </summary>
    public double StyleProximityWeight { get; init; }
    /// <summary>
    /// Weights of the pitch and roll squares in the parameter cycle (official: 1 each; the cycle's rotation part is the
    /// mean of the three squares in raw units), in training and in <see cref="ResidualComposerWarmup"/>. The
    /// perturbation asks for pitch within ±15° and yaw within ±45°, so at weight 1 a pitch error weighs (15/45)² = 1/9 of
    /// a yaw error of the same share of its range. Measured (docs/lifting.md, sixth attempt): the residual composer's warm
    /// start frontalised the canonical faces in yaw (|yaw| 18.8° → 5.8°) but not in pitch (9.6° → 9.7°), after which
    /// the view learnt no pitch. Not in the paper or the official code.
    /// </summary>
    public double CyclePitchWeight { get; init; } = 1;
    /// <inheritdoc cref="CyclePitchWeight"/>
    public double CycleRollWeight { get; init; } = 1;
    /// <summary>
    /// Weight of the canonical frontality term (official: 0, not in the paper or the official code): the view network,
    /// its weights held fixed, reads the canonical image G(M(w, L0, 0)) as frontal, weight × the parameter cycle's
    /// rotation error against view 0 (with <see cref="CyclePitchWeight"/> and <see cref="CycleRollWeight"/>). The
    /// official cycle asks it only of perturbed views, and the flip and canonical-symmetry terms see only yaw and roll
    /// (a face pitched up is still left-right symmetric), so nothing in the official objective turns a canonical face
    /// that keeps its source's pitch (a residual composer's does, docs/lifting.md, sixth attempt) to the front. The view
    /// network is not trained by it; the gradient reaches the composer (and, as for every term on the canonical image,
    /// the light head through the canonical light's ambient and diffuse).
    /// </summary>
    public double CanonicalFrontalWeight { get; init; }
    /// <summary>
    /// Weight of the canonical invariance term (official: 0, not in the paper or the official code): a face and the same
    /// face turned and relit by the composer have one canonical image, weight × L1(G(M(w′, L0′, 0)), G(M(w, L0, 0))) with
    /// w′ = M(w, L′, V′) the sampled perturbation (detached) and L0′ the neutral of the light read from w′. A canonical
    /// image that keeps part of its source's pose or light (measured: a quarter of the source's departure from the
    /// teacher's frontal image) differs between the two; a canonical image the depth can be read from must not
    /// (docs/lifting.md, "Where each face's own depth is lost"). Gradients reach the composer through both images.
    /// </summary>
    public double CanonicalInvarianceWeight { get; init; }
    /// <summary>
    /// Weight of the canonical round trip (official: 0, not in the paper or the official code): a face made canonical and
    /// then turned and lit back to its own view and light is the face again, weight × L1(G(M(M(w, L0, 0), L̂, V̂)), G(w))
    /// with the lift's readings L̂, V̂ of w held constant. A canonical style that loses part of the face (measured: the
    /// canonical images keep 0.77 of the between-face differences of the teacher's frontal images, and 95 % of their
    /// error does not depend on the source's pose or light) cannot give it back, so the term asks the canonical image to
    /// keep the whole face, as a cycle-consistency loss does. Gradients reach the composer through both applications.
    /// </summary>
    public double CanonicalRoundTripWeight { get; init; }
    /// <summary>
    /// Weight of the source identity term (official: 0, not in the paper or the official code): the canonical image is
    /// the same person as the teacher's image it came from, weight × mean over the samples whose estimated yaw is within
    /// ± <see cref="IdentityMaxYaw"/> of Σ (E(canonical) − E(teacher image))² with the face embedding E (the official
    /// identity term's form; it compares the canonical image only with renders of itself, so nothing there ties the
    /// canonical face to its source). Needs a face embedding.
    /// </summary>
    public double SourceIdentityWeight { get; init; }
    /// <summary>
    /// Weight of the mirror term (official: 0, not in the paper or the official code): the teacher's image mirrored is
    /// the same (symmetric) face at the mirrored view and light, so the composer given w with the decomposer's mirrored
    /// view and light must make it: weight × image distance(G(M(w, mirror L(w), mirror V(w))), flip(G(w))), L1 plus the
    /// perceptual term. The target is a sharp face of the same identity turned by twice its yaw, one the teacher can
    /// make, and the gradient reaches the composer (through the frozen teacher) and the decomposer: a view of 0 for a
    /// turned face cannot meet both this and the canonical, so the decomposer must read the face's asymmetry, pose and
    /// light direction. Same assumption as the flip term (a symmetric face).
    /// </summary>
    public double MirrorWeight { get; init; }

    /// <summary>
    /// What the networks learn from: the paper's unsupervised losses (default), or direct supervision on the exact
    /// truth of a world-fit teacher (<see cref="TruthSupervision"/>), the reference a lift's 3D is compared with.
    /// </summary>
    public LiftingObjective Objective { get; init; } = LiftingObjective.Unsupervised;
    /// <summary>Weight of the canonical-depth term of <see cref="LiftingObjective.SupervisedTruth"/> (L1 in tanh units of depth).</summary>
    public double TruthDepthWeight { get; init; } = 1;
    /// <summary>Weight of the raw-view term of <see cref="LiftingObjective.SupervisedTruth"/>.</summary>
    public double TruthViewWeight { get; init; } = 1;
    /// <summary>Weight of the raw-light term of <see cref="LiftingObjective.SupervisedTruth"/>.</summary>
    public double TruthLightWeight { get; init; } = 1;
    /// <summary>Weight of the canonical-albedo term of <see cref="LiftingObjective.SupervisedTruth"/>.</summary>
    public double TruthAlbedoWeight { get; init; } = 1;
    /// <summary>Weight of the transformation-map term of <see cref="LiftingObjective.SupervisedTruth"/>.</summary>
    public double TruthTransformWeight { get; init; } = 1;
    /// <summary>Image scales of the perceptual loss (the image, then avg-pooled 2× per further scale); officially 3.</summary>
    public int PerceptualScales { get; init; } = 3;
    /// <summary>
    /// Deepest VGG16 slice the perceptual loss compares: 3 = relu2_2, relu3_3 and relu4_3 (official), 2 = relu2_2 and
    /// relu3_3 (skips the conv4 block: about a third fewer FLOPs per image), 1 = relu2_2 only. A change of the loss, not
    /// of its speed alone: the official presets keep 3; <c>synth_64</c> uses 2 (its ablation on exact truth in
    /// docs/lifting.md).
    /// </summary>
    public int PerceptualDepth { get; init; } = 3;

    /// <summary>The VGG16 slices the perceptual loss compares (<see cref="PerceptualDepth"/>).</summary>
    public int[] PerceptualSliceIndices() => Enumerable.Range(1, PerceptualDepth).ToArray();

    public int BatchSize { get; init; } = 8;
    public int Epochs { get; init; } = 10;
    public int StepsPerEpoch { get; init; } = 5000;
    public double LearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 5e-4;
    public int StatisticsSamples { get; init; } = 50_000;
    public long Seed { get; init; } = 1;
    public int SummaryInterval { get; init; } = 500;

    /// <summary>The official FFHQ config.</summary>
    public static LiftingConfig Ffhq256 { get; } = new();

    /// <summary>The official cats config: no identity loss, weaker style prior and albedo rank.</summary>
    public static LiftingConfig Cats256 { get; } = new()
    {
        Preset = "cats_256", IdentityWeight = 0, StylePriorWeight = 0.1, AlbedoRankWeight = 5e-3,
    };

    /// <summary>
    /// The embedded default: the 64 px StyleGAN2 trained on the procedural face world. Geometry is the official one;
    /// pixel-sized quantities (blur, rank pooling) scale by 64/256; networks are narrower to fit a 2-core CPU.
    /// </summary>
    public static LiftingConfig Synth64 { get; } = new()
    {
        Preset = "synth_64", ImageSize = 64, StyleDim = 128, MlpHidden = 128, DepthSeedDim = 128, DecoderBaseChannels = 16,
        BlurSize = 3, BlurSigma = 1, RankDownsample = 1, PerceptualScales = 2, PerceptualDepth = 2, DepthSmoothnessWeight = 50, ComposerWarmupSteps = 500,
        StylePriorWeight = 0.05, Epochs = 1, StepsPerEpoch = 800, StatisticsSamples = 10_000, SummaryInterval = 100,
    };

    /// <summary>Looks a preset up by name.</summary>
    public static LiftingConfig FromPreset(string name) => name switch
    {
        "ffhq_256" => Ffhq256,
        "cats_256" => Cats256,
        "synth_64" => Synth64,
        _ => throw new LiftingSetupException("preset", $"{name}: expected ffhq_256, cats_256 or synth_64"),
    };

    /// <summary>
    /// This config for a teacher with the given style size: the style-sized network widths follow the teacher (for
    /// a 512-d teacher the official presets are unchanged).
    /// </summary>
    public LiftingConfig ForTeacher(int styleDim) => this with
    {
        StyleDim = styleDim,
        DepthSeedDim = DepthSeedDim == StyleDim ? styleDim : DepthSeedDim,
    };

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static LiftingConfig FromJson(string json, string source) =>
        JsonSerializer.Deserialize<LiftingConfig>(json, Json) ?? throw new InvalidDataException($"{source}: empty config");
}
